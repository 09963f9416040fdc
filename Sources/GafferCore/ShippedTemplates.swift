import Foundation

/// Finds Gaffer's `templates/` folder: in the working directory, beside the executable, or in the source tree.
public enum ShippedTemplates {
    public static var candidates: [URL] {
        [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("templates"),
            URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent().appendingPathComponent("templates"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("templates"),
        ]
    }

    /// The first `templates/` folder that has `subfolder` in it.
    public static func folder(holding subfolder: String) -> URL? {
        candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent(subfolder).path) }
    }

    /// Where it looked, for the error when nothing was found.
    public static var searched: String { candidates.map(\.path).joined(separator: ", ") }
}
