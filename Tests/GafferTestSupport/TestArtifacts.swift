import Foundation

/// Where tests leave what a person should look at afterwards (screenshots): `GAFFER_TEST_ARTIFACTS`,
/// or `.build/test-artifacts` in the package.
public enum TestArtifacts {
    public static var directory: URL {
        if let given = ProcessInfo.processInfo.environment["GAFFER_TEST_ARTIFACTS"], !given.isEmpty {
            return URL(fileURLWithPath: given, isDirectory: true)
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/test-artifacts", isDirectory: true)
    }

    public static func file(_ name: String) -> URL { directory.appendingPathComponent(name) }
}
