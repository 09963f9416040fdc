import Foundation
import GafferAgents
import GafferCore
import Testing

/// Every template as rendered for the example tasks, kept in `Golden/`: a change to a template or to
/// the renderer shows here as a diff to review. After an intended change:
/// `GAFFER_UPDATE_GOLDEN=1 swift test --filter GoldenTemplateTests`.
@Suite struct GoldenTemplateTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    @Test func everyRenderedTemplateMatchesItsGoldenFile() async throws {
        let update = ProcessInfo.processInfo.environment["GAFFER_UPDATE_GOLDEN"] == "1"
        var expectedNames = Set<String>()
        for stack in try await RenderedStack.all() {
            for (path, body) in stack.templates {
                let name = "\(stack.resource.name).\(stack.variant.rawValue)\(path.hasSuffix("monitoring.yaml") ? ".monitoring" : "").yaml"
                expectedNames.insert(name)
                let url = Self.folder.appendingPathComponent(name)
                if update {
                    try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
                    try body.write(to: url, atomically: true, encoding: .utf8)
                }
                let golden = try? String(contentsOf: url, encoding: .utf8)
                #expect(golden == body, "\(name) differs from its golden file; rerun with GAFFER_UPDATE_GOLDEN=1 if the change is intended")
            }
        }
        let present = Set((try? FileManager.default.contentsOfDirectory(atPath: Self.folder.path)) ?? [])
        #expect(present == expectedNames, "golden files without a template, or the other way round")
    }
}
