/// One message of AWS's event-stream encoding (`application/vnd.amazon.eventstream`), which Bedrock's streaming
/// APIs answer in: headers (name → string value here; other types are read and kept as text) and a payload.
public struct EventStreamMessage: Sendable, Hashable {
    public var headers: [String: String]
    public var payload: [UInt8]

    public init(headers: [String: String], payload: [UInt8]) {
        self.headers = headers
        self.payload = payload
    }

    /// The message's bytes: the prelude (total and header lengths, their CRC), the headers as strings (type 7),
    /// the payload and the CRC of everything before it.
    public func encoded() -> [UInt8] {
        var headerBytes: [UInt8] = []
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            headerBytes.append(UInt8(truncatingIfNeeded: name.utf8.count))
            headerBytes += name.utf8
            headerBytes.append(7)
            EventStream.appendBigEndian(UInt16(truncatingIfNeeded: value.utf8.count), to: &headerBytes)
            headerBytes += value.utf8
        }
        var bytes: [UInt8] = []
        let total = 12 + headerBytes.count + payload.count + 4
        bytes.reserveCapacity(total)
        EventStream.appendBigEndian(UInt32(total), to: &bytes)
        EventStream.appendBigEndian(UInt32(headerBytes.count), to: &bytes)
        EventStream.appendBigEndian(CRC32.checksum(bytes), to: &bytes)
        bytes += headerBytes
        bytes += payload
        EventStream.appendBigEndian(CRC32.checksum(bytes), to: &bytes)
        return bytes
    }
}

/// Why bytes are not an event stream; the call is failed rather than a message guessed at.
public struct EventStreamError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
}

enum EventStream {
    static func appendBigEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes += $0 }
    }

    static func bigEndian<T: FixedWidthInteger>(_ bytes: ArraySlice<UInt8>, as _: T.Type) -> T {
        bytes.reduce(T(0)) { $0 << 8 | T($1) }
    }
}

/// Reads event-stream messages from bytes as they arrive, split anywhere, checking both CRCs of each.
public struct EventStreamParser: Sendable {
    private var buffer: [UInt8] = []
    /// The largest message kept; a longer one is refused rather than held in memory.
    public let maximumMessageBytes: Int

    public init(maximumMessageBytes: Int = 16 << 20) {
        self.maximumMessageBytes = maximumMessageBytes
    }

    /// Feeds bytes; returns the messages they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(EventStreamError) -> [EventStreamMessage] {
        buffer += bytes
        var messages: [EventStreamMessage] = []
        var start = 0
        while buffer.count - start >= 12 {
            let total = Int(EventStream.bigEndian(buffer[start..<start + 4], as: UInt32.self))
            let headersLength = Int(EventStream.bigEndian(buffer[start + 4..<start + 8], as: UInt32.self))
            guard CRC32.checksum(buffer[start..<start + 8]) == EventStream.bigEndian(buffer[start + 8..<start + 12], as: UInt32.self) else {
                throw EventStreamError(description: "a message's prelude fails its CRC")
            }
            guard total >= 16, headersLength <= total - 16 else {
                throw EventStreamError(description: "a message's lengths are impossible (total \(total), headers \(headersLength))")
            }
            guard total <= maximumMessageBytes else {
                throw EventStreamError(description: "a message of \(total) bytes is longer than \(maximumMessageBytes)")
            }
            guard buffer.count - start >= total else { break }
            let end = start + total
            guard CRC32.checksum(buffer[start..<end - 4]) == EventStream.bigEndian(buffer[end - 4..<end], as: UInt32.self) else {
                throw EventStreamError(description: "a message fails its CRC")
            }
            let headers = try Self.headers(buffer[start + 12..<start + 12 + headersLength])
            messages.append(EventStreamMessage(headers: headers, payload: Array(buffer[start + 12 + headersLength..<end - 4])))
            start = end
        }
        buffer.removeFirst(start)
        return messages
    }

    /// Whether bytes of an unfinished message are held: a stream that ends here was cut short.
    public var isMidMessage: Bool { !buffer.isEmpty }

    private static func headers(_ bytes: ArraySlice<UInt8>) throws(EventStreamError) -> [String: String] {
        var headers: [String: String] = [:]
        var at = bytes.startIndex
        func take(_ count: Int) throws(EventStreamError) -> ArraySlice<UInt8> {
            guard count >= 0, bytes.endIndex - at >= count else { throw EventStreamError(description: "a header runs past the headers' end") }
            defer { at += count }
            return bytes[at..<at + count]
        }
        while at < bytes.endIndex {
            let nameLength = Int(try take(1).first ?? 0)
            let name = String(decoding: try take(nameLength), as: UTF8.self)
            let type = try take(1).first ?? 255
            let value: String
            switch type {
            case 0: value = "true"
            case 1: value = "false"
            case 2: value = String(Int8(bitPattern: try take(1).first ?? 0))
            case 3: value = String(Int16(bitPattern: EventStream.bigEndian(try take(2), as: UInt16.self)))
            case 4: value = String(Int32(bitPattern: EventStream.bigEndian(try take(4), as: UInt32.self)))
            case 5, 8: value = String(Int64(bitPattern: EventStream.bigEndian(try take(8), as: UInt64.self)))
            case 6, 7:
                let length = Int(EventStream.bigEndian(try take(2), as: UInt16.self))
                value = String(decoding: try take(length), as: UTF8.self)
            case 9: value = try take(16).map { String($0, radix: 16) }.joined()
            default: throw EventStreamError(description: "header \(name) has an unknown value type \(type)")
            }
            headers[name] = value
        }
        return headers
    }
}

/// CRC-32 (IEEE 802.3, as zlib computes it), which the event-stream encoding uses for its checksums.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        return crc
    }

    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
