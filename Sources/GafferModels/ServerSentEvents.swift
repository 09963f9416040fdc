/// One server-sent event: its `event:` name (empty when none) and its `data:` lines joined by newlines.
public struct ServerSentEvent: Sendable, Hashable {
    public var event: String
    public var data: String

    public init(event: String = "", data: String) {
        self.event = event
        self.data = data
    }
}

/// Reads server-sent events (the WHATWG `text/event-stream` format) from bytes as they arrive,
/// split anywhere: mid-line, mid-character, or between `\r` and `\n`.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var event = ""
    private var data: [String] = []
    private var hasData = false
    private var afterCarriageReturn = false
    /// The longest line kept; a stream past it is refused rather than held in memory.
    public let maximumLineBytes: Int

    public init(maximumLineBytes: Int = 8 << 20) {
        self.maximumLineBytes = maximumLineBytes
    }

    /// Feeds bytes; returns the events they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(ServerSentEventTooLong) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if afterCarriageReturn {
                afterCarriageReturn = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\n"):
                if let event = endLine() { events.append(event) }
            case UInt8(ascii: "\r"):
                afterCarriageReturn = true
                if let event = endLine() { events.append(event) }
            default:
                guard line.count < maximumLineBytes else { throw ServerSentEventTooLong(limit: maximumLineBytes) }
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            defer {
                event = ""
                data = []
                hasData = false
            }
            return hasData ? ServerSentEvent(event: event, data: data.joined(separator: "\n")) : nil
        }
        if line.first == UInt8(ascii: ":") { return nil }
        let text = String(decoding: line, as: UTF8.self)
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        switch field {
        case "event": event = String(value)
        case "data":
            data.append(String(value))
            hasData = true
        default: break
        }
        return nil
    }
}

public struct ServerSentEventTooLong: Error, Sendable, CustomStringConvertible {
    public var limit: Int
    public var description: String { "a line of the event stream is longer than \(limit) bytes" }
}
