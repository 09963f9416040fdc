/// A buildspec path pattern: `*` and `?` within one part of a path, `**` across parts.
struct PathGlob: Sendable {
    private let parts: [Substring]

    init(_ pattern: String) {
        var trimmed = Substring(pattern)
        while trimmed.hasPrefix("./") { trimmed = trimmed.dropFirst(2) }
        parts = trimmed.split(separator: "/", omittingEmptySubsequences: true)
    }

    func matches(_ path: String) -> Bool {
        Self.match(parts[...], path.split(separator: "/")[...])
    }

    private static func match(_ pattern: ArraySlice<Substring>, _ path: ArraySlice<Substring>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            let rest = pattern.dropFirst()
            // `**` takes no part, or one more part, and tries again.
            return match(rest, path) || (!path.isEmpty && match(pattern, path.dropFirst()))
        }
        guard let part = path.first, matchPart(Array(first.utf8)[...], Array(part.utf8)[...]) else { return false }
        return match(pattern.dropFirst(), path.dropFirst())
    }

    private static func matchPart(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        switch first {
        case UInt8(ascii: "*"):
            let rest = pattern.dropFirst()
            var candidate = text
            while true {
                if matchPart(rest, candidate) { return true }
                guard !candidate.isEmpty else { return false }
                candidate = candidate.dropFirst()
            }
        case UInt8(ascii: "?"):
            return !text.isEmpty && matchPart(pattern.dropFirst(), text.dropFirst())
        default:
            return text.first == first && matchPart(pattern.dropFirst(), text.dropFirst())
        }
    }
}
