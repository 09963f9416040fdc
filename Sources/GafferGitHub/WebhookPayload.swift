import Foundation

/// The little the webhook path reads of a body: that it is JSON (one object),
/// and its top-level `action`. Everything else waits for a worker.
///
/// A full JSON parse of a large payload costs more than verifying and
/// storing it, so this scans the bytes once without building anything:
/// the grammar is checked to the last byte (a body broken after `action` is
/// refused, not acknowledged and then failed), the values are not read.
public enum WebhookPayload {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case notAnObject
        case malformed(offset: Int)
        case missingFormPayload

        public var description: String {
            switch self {
            case .notAnObject: "the body is not a JSON object"
            case .malformed(let offset): "the body is not valid JSON (near byte \(offset))"
            case .missingFormPayload: "a form-encoded delivery must carry the JSON in a 'payload' field"
            }
        }
    }

    /// The JSON inside GitHub's `application/x-www-form-urlencoded` delivery (`payload=...`).
    public static func jsonFromForm(_ body: some Collection<UInt8>) throws(Failure) -> [UInt8] {
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { continue }
            guard percentDecode(pair[pair.startIndex..<equals]) == Array("payload".utf8) else { continue }
            return percentDecode(pair[pair.index(after: equals)...])
        }
        throw .missingFormPayload
    }

    static func percentDecode(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): output.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                let high = iterator.next()
                let low = iterator.next()
                if let high, let low, let h = HexDigit.value(high), let l = HexDigit.value(low) {
                    output.append(h << 4 | l)
                } else {
                    output.append(byte)
                    if let high { output.append(high) }
                    if let low { output.append(low) }
                }
            default: output.append(byte)
            }
        }
        return output
    }

    /// The top-level `action` string, or nil when the object has none
    /// (`ping` and `push` do not). Throws when the bytes are not a JSON object.
    public static func action(in json: UnsafeRawBufferPointer) throws(Failure) -> String? {
        var scanner = Scanner(bytes: json)
        return try scanner.topLevelAction()
    }

    public static func action(in json: some ContiguousBytes) throws(Failure) -> String? {
        let result: Result<String?, Failure> = json.withUnsafeBytes { buffer in
            do throws(Failure) { return .success(try action(in: buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func topLevelAction() throws(Failure) -> String? {
            skipWhitespace()
            guard peek() == UInt8(ascii: "{") else { throw .notAnObject }
            index += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                index += 1
                skipWhitespace()
                guard index == bytes.count else { throw .malformed(offset: index) }
                return nil
            }
            var action: String?
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw .malformed(offset: index) }
                let keyStart = index + 1
                try skipString()
                let isAction = index - keyStart - 1 == 6 && matches("action", at: keyStart)
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw .malformed(offset: index) }
                index += 1
                skipWhitespace()
                if isAction, action == nil, peek() == UInt8(ascii: "\"") {
                    let valueStart = index
                    try skipString()
                    action = decodeJSONString(UnsafeRawBufferPointer(rebasing: bytes[valueStart..<index]))
                } else {
                    try skipValue(depth: 1)
                }
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    skipWhitespace()
                    guard index == bytes.count else { throw .malformed(offset: index) }
                    return action
                default: throw .malformed(offset: index)
                }
            }
        }

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        func matches(_ word: StaticString, at offset: Int) -> Bool {
            let count = word.utf8CodeUnitCount
            guard offset + count <= bytes.count else { return false }
            let pointer = word.utf8Start
            for i in 0..<count where bytes[offset + i] != pointer[i] { return false }
            return true
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        /// Moves past a string that starts at `index` (on its opening quote).
        mutating func skipString() throws(Failure) {
            index += 1
            while index < bytes.count {
                skipPlainStringBytes()
                guard index < bytes.count else { break }
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    index += 1
                    return
                case UInt8(ascii: "\\"):
                    guard index + 1 < bytes.count else { throw .malformed(offset: index) }
                    switch bytes[index + 1] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        index += 2
                    case UInt8(ascii: "u"):
                        guard index + 5 < bytes.count, (2...5).allSatisfy({ HexDigit.value(bytes[index + $0]) != nil }) else {
                            throw .malformed(offset: index)
                        }
                        index += 6
                    default: throw .malformed(offset: index)
                    }
                case 0x00..<0x20: throw .malformed(offset: index)
                case 0x80...: try skipUTF8Sequence()
                default: index += 1
                }
            }
            throw .malformed(offset: index)
        }

        /// Moves past one multi-byte UTF-8 character, refusing what is not one
        /// (the worker's decoder refuses such a body, so ingress must too).
        mutating func skipUTF8Sequence() throws(Failure) {
            let lead = bytes[index]
            let (length, second): (Int, ClosedRange<UInt8>) =
                switch lead {
                case 0xC2...0xDF: (2, 0x80...0xBF)
                case 0xE0: (3, 0xA0...0xBF)
                case 0xED: (3, 0x80...0x9F)  // not a surrogate
                case 0xE1...0xEF: (3, 0x80...0xBF)
                case 0xF0: (4, 0x90...0xBF)
                case 0xF1...0xF3: (4, 0x80...0xBF)
                case 0xF4: (4, 0x80...0x8F)  // not above U+10FFFF
                default: throw .malformed(offset: index)
                }
            guard index + length <= bytes.count, second.contains(bytes[index + 1]) else { throw .malformed(offset: index) }
            for next in index + 2..<index + length where !(0x80...0xBF).contains(bytes[next]) { throw .malformed(offset: index) }
            index += length
        }

        /// Moves eight bytes at a time past string bytes that need no look
        /// (ASCII, and not a quote, a backslash or a control character), stopping on the
        /// first that does: most of a payload's bytes are inside strings, and
        /// this keeps checking the whole body about as cheap as not checking it.
        mutating func skipPlainStringBytes() {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            while index + 8 <= bytes.count {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                // Classic SWAR tests, each setting the high bit of a byte that matches; a borrow
                // can only mark bytes above a true match, so the lowest mark is exact.
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                let marks =
                    ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
                let found = (marks | word) & highs
                if found != 0 {
                    index += found.trailingZeroBitCount / 8
                    return
                }
                index += 8
            }
        }

        mutating func skipValue(depth: Int) throws(Failure) {
            // Deep nesting is refused rather than followed: GitHub's payloads
            // are a handful of levels deep.
            guard depth < 512 else { throw .malformed(offset: index) }
            guard let byte = peek() else { throw .malformed(offset: index) }
            switch byte {
            case UInt8(ascii: "\""): try skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                let isObject = byte == UInt8(ascii: "{")
                index += 1
                skipWhitespace()
                if peek() == close {
                    index += 1
                    return
                }
                while true {
                    skipWhitespace()
                    if isObject {
                        guard peek() == UInt8(ascii: "\"") else { throw .malformed(offset: index) }
                        try skipString()
                        skipWhitespace()
                        guard peek() == UInt8(ascii: ":") else { throw .malformed(offset: index) }
                        index += 1
                        skipWhitespace()
                    }
                    try skipValue(depth: depth + 1)
                    skipWhitespace()
                    guard let next = peek() else { throw .malformed(offset: index) }
                    if next == UInt8(ascii: ",") {
                        index += 1
                    } else if next == close {
                        index += 1
                        return
                    } else {
                        throw .malformed(offset: index)
                    }
                }
            case UInt8(ascii: "t"): try skipLiteral("true")
            case UInt8(ascii: "f"): try skipLiteral("false")
            case UInt8(ascii: "n"): try skipLiteral("null")
            default: try skipNumber()
            }
        }

        mutating func skipLiteral(_ word: StaticString) throws(Failure) {
            guard matches(word, at: index) else { throw .malformed(offset: index) }
            index += word.utf8CodeUnitCount
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
        /// Also refuses a number too large for a Double (`1e400`), which the worker's decoder would refuse.
        mutating func skipNumber() throws(Failure) {
            let start = index
            if peek() == UInt8(ascii: "-") { index += 1 }
            let integerStart = index
            if peek() == UInt8(ascii: "0") { index += 1 } else { try skipDigits() }
            let integerDigits = index - integerStart
            if peek() == UInt8(ascii: ".") {
                index += 1
                try skipDigits()
            }
            var exponent = false
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                exponent = true
                index += 1
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
                try skipDigits()
            }
            // Only a number that could be that large is read: the scan stays a scan.
            if exponent || integerDigits > 300 {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                guard Double(text)?.isFinite == true else { throw .malformed(offset: start) }
            }
        }

        /// One or more digits.
        mutating func skipDigits() throws(Failure) {
            func isDigit(_ byte: UInt8?) -> Bool { byte.map { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ?? false }
            guard isDigit(peek()) else { throw .malformed(offset: index) }
            while isDigit(peek()) { index += 1 }
        }

        /// A JSON string literal (with its quotes) as a Swift string.
        func decodeJSONString(_ raw: UnsafeRawBufferPointer) -> String? {
            if !raw.contains(UInt8(ascii: "\\")) {
                return String(decoding: raw.dropFirst().dropLast(), as: UTF8.self)
            }
            return (try? JSONDecoder().decode(String.self, from: Data(raw)))
        }
    }
}
