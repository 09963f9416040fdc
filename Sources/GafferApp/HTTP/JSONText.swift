/// Writes small flat JSON objects by hand, for the answers on the webhook
/// path: at thousands of deliveries a second, `JSONEncoder` costs more
/// than the rest of the answer.
struct JSONText {
    private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]

    init() { bytes.reserveCapacity(160) }

    mutating func field(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        separate(key)
        Self.appendString(value, to: &bytes)
    }

    mutating func field(_ key: StaticString, _ value: Int64?) {
        guard let value else { return }
        separate(key)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func object(_ key: StaticString, _ inner: JSONText) {
        separate(key)
        bytes.append(contentsOf: inner.finished)
    }

    var finished: [UInt8] { bytes + [UInt8(ascii: "}")] }

    private mutating func separate(_ key: StaticString) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    static func appendString(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
                ])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
