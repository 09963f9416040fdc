/// Checks shared by AWS naming rules. Each returns the rule broken, or nil.
enum TextRules {
    static func length(_ text: String, _ range: ClosedRange<Int>) -> String? {
        let count = text.unicodeScalars.count
        if range.contains(count) { return nil }
        return range.lowerBound == range.upperBound
            ? "must be exactly \(range.lowerBound) characters long (it is \(count))"
            : "must be \(range.lowerBound) to \(range.upperBound) characters long (it is \(count))"
    }

    /// Every character is in `allowed`; `described` finishes "may only contain ...".
    static func only(_ text: String, _ allowed: (Unicode.Scalar) -> Bool, described: String) -> String? {
        guard let bad = text.unicodeScalars.first(where: { !allowed($0) }) else { return nil }
        return "may only contain \(described) (found \"\(bad.printable)\")"
    }

    static func isLowerAlnum(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("0"..."9").contains(s) }
    static func isAlnum(_ s: Unicode.Scalar) -> Bool { isLowerAlnum(s) || ("A"..."Z").contains(s) }
    static func isLetter(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("A"..."Z").contains(s) }
    static func isLowerHex(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) || ("a"..."f").contains(s) }

    /// `prefix` followed by 8 or 17 lowercase hex digits, as EC2 ids are (`ami-0abc...`).
    static func ec2ID(_ text: String, prefix: String) -> String? {
        let rule = "must be \(prefix) followed by 8 or 17 lowercase hexadecimal digits"
        guard text.hasPrefix(prefix) else { return rule }
        let hex = text.unicodeScalars.dropFirst(prefix.unicodeScalars.count)
        guard hex.count == 8 || hex.count == 17, hex.allSatisfy(isLowerHex) else { return rule }
        return nil
    }

    /// A DNS host name such as `example.com` or `origin.example.co.uk`.
    static func hostName(_ text: String) -> String? {
        if let broken = length(text, 1...253) { return broken }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        let valid =
            labels.count >= 2
            && labels.allSatisfy { label in
                (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                    && label.unicodeScalars.allSatisfy { isAlnum($0) || $0 == "-" }
            }
        return valid ? nil : "must be a host name such as origin.example.com"
    }
}

extension Unicode.Scalar {
    /// The scalar as a person can read it in an error, control characters escaped.
    var printable: String {
        properties.generalCategory == .control || properties.generalCategory == .format
            ? "\\u{\(String(value, radix: 16))}" : String(self)
    }
}
