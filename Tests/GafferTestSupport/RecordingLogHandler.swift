import Logging

/// Keeps every log line (message and metadata, rendered) so a test can search them.
public struct RecordingLogHandler: LogHandler {
    public let lines: Locked<[String]>
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init(lines: Locked<[String]> = Locked([])) {
        self.lines = lines
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.update { $0.append("\(event.level) \(event.message) \(rendered)") }
    }

    /// A logger that records into `lines`.
    public static func logger(_ lines: Locked<[String]>) -> Logger {
        Logger(label: "test") { _ in RecordingLogHandler(lines: lines) }
    }
}
