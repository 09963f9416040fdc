/// Substring search over UTF-8 bytes. Foundation's `range(of:)` goes through
/// NSString and was most of the parsers' time; the needles here are ASCII.
extension StringProtocol {
    /// The first occurrence of an ASCII `needle`, optionally ignoring ASCII case.
    func firstRange(ofASCII needle: String, ignoringCase: Bool = false) -> Range<Index>? {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first else { return nil }
        let bytes = utf8
        var start = bytes.startIndex
        while start != bytes.endIndex {
            if TextSearch.equal(bytes[start], first, ignoringCase) {
                var candidate = start
                var matched = 0
                while matched < pattern.count, candidate != bytes.endIndex,
                    TextSearch.equal(bytes[candidate], pattern[matched], ignoringCase)
                {
                    matched += 1
                    candidate = bytes.index(after: candidate)
                }
                if matched == pattern.count { return start..<candidate }
            }
            start = bytes.index(after: start)
        }
        return nil
    }

    func containsASCII(_ needle: String) -> Bool { firstRange(ofASCII: needle) != nil }
}

enum TextSearch {
    @inline(__always)
    static func equal(_ a: UInt8, _ b: UInt8, _ ignoringCase: Bool) -> Bool {
        guard ignoringCase else { return a == b }
        let lower = { (byte: UInt8) -> UInt8 in (0x41...0x5a).contains(byte) ? byte | 0x20 : byte }
        return lower(a) == lower(b)
    }
}
