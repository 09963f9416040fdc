import NIOCore

/// Bedrock's streamed body as events: each message's `:event-type` and JSON payload. An exception message
/// becomes `exception:<type>` with its payload, and an error message `error:<code>` with its text.
struct EventStreamFraming: ModelStreamFraming {
    private var parser = EventStreamParser()

    mutating func split(_ bytes: ByteBufferView) throws -> [ServerSentEvent] {
        try parser.feed(bytes).map { message in
            let payload = String(decoding: message.payload, as: UTF8.self)
            switch message.headers[":message-type"] {
            case "exception": return ServerSentEvent(event: "exception:\(message.headers[":exception-type"] ?? "unknown")", data: payload)
            case "error":
                return ServerSentEvent(
                    event: "error:\(message.headers[":error-code"] ?? "unknown")",
                    data: message.headers[":error-message"] ?? payload
                )
            default: return ServerSentEvent(event: message.headers[":event-type"] ?? "", data: payload)
            }
        }
    }

    func end() throws {
        if parser.isMidMessage { throw EventStreamError(description: "the stream ended inside a message") }
    }
}
