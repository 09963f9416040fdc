import Foundation

/// The shared conformance data beside the project (`../shared/conformance`).
public enum Conformance {
    /// The package root, found from this file's place in `Tests/`.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The conformance folder. A test that needs it and does not find it fails
    /// with the path it looked for, rather than passing on nothing.
    public static func directory() throws -> URL {
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw Missing(path: url.path)
        }
        return url
    }

    public struct Missing: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "conformance data not found at \(path); it must sit beside the project as ../shared/conformance" }
    }

    /// One real webhook payload: the event name from its folder, the action
    /// from its file name.
    public struct WebhookSample: Sendable, CustomStringConvertible {
        public var event: String
        public var file: String
        public var body: Data
        public var description: String { "\(event)/\(file)" }
    }

    /// Every payload under `webhooks/<event>/`.
    public static func webhookSamples() throws -> [WebhookSample] {
        let root = try directory().appendingPathComponent("webhooks")
        var samples: [WebhookSample] = []
        for event in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() {
            let folder = root.appendingPathComponent(event)
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".json") {
                samples.append(WebhookSample(event: event, file: file, body: try Data(contentsOf: folder.appendingPathComponent(file))))
            }
        }
        return samples
    }
}
