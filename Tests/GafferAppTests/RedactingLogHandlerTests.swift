import GafferApp
import GafferCore
import Logging
import Synchronization
import Testing

/// Keeps what it is asked to log.
final class RecordingLogHandler: LogHandler, Sendable {
    let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.withLock { $0.append("\(event.message) \(fields)") }
    }
}

@Suite struct RedactingLogHandlerTests {
    @Test func aSecretInAMessageOrItsMetadataNeverReachesTheLog() {
        let recorder = RecordingLogHandler()
        let logger = Logger(label: "test") { _ in RedactingLogHandler(recorder, redactor: .standard) }
        logger.warning(
            "AWS refused AKIAIOSFODNN7EXAMPLE",
            metadata: ["comment": "/deny ghp_0123456789abcdefghijABCDEFGHIJ012345", "job": "7"]
        )
        #expect(
            recorder.lines.withLock { $0 } == [
                "AWS refused [REDACTED AWS access key] comment=/deny [REDACTED GitHub token] job=7"
            ]
        )
    }
}
