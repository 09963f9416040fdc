import Foundation

/// Fits long text into GitHub's limits: a comment body is at most 65,536
/// characters, a check run's summary and text 65,535.
public enum CommentSplitter {
    public static let commentLimit = 65_536
    public static let checkRunLimit = 65_535

    /// Splits `text` into parts of at most `limit` characters (Unicode scalars, which is what
    /// GitHub counts, so no part can be refused), at line ends where it can and never inside a
    /// character. A part that ends inside a code fence closes it, and the next part reopens it
    /// with the same info string, so each part renders on its own.
    public static func split(_ text: String, limit: Int = commentLimit) -> [String] {
        let reserve = 16 + 64  // room for a closing fence and a reopened one
        let budget = max(limit - reserve, 64)
        var parts: [String] = []
        var current = ""
        var currentCount = 0
        var openFence: String?
        var reopen: String?

        func flush() {
            var part = current
            if let fence = openFence {
                if !part.hasSuffix("\n") { part += "\n" }
                part += fence.prefix(while: { $0 == "`" || $0 == "~" })
                reopen = fence
            } else {
                reopen = nil
            }
            parts.append(part)
            current = reopen.map { "\($0)\n" } ?? ""
            currentCount = current.unicodeScalars.count
        }

        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let pieces = chop(line, budget: budget)
            for (index, piece) in pieces.enumerated() {
                let isLineEnd = index == pieces.count - 1
                let addition = piece + (isLineEnd ? "\n" : "")
                let count = addition.unicodeScalars.count
                if currentCount + count > budget, currentCount > 0 { flush() }
                current += addition
                currentCount += count
            }
            let trimmed = line.drop(while: { $0 == " " })
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                let marker = String(trimmed.prefix(while: { $0 == "`" || $0 == "~" }))
                if let open = openFence {
                    if marker.count >= open.prefix(while: { $0 == "`" || $0 == "~" }).count,
                        trimmed.dropFirst(marker.count).trimmingCharacters(in: .whitespaces).isEmpty
                    {
                        openFence = nil
                    }
                } else {
                    openFence = String(trimmed)
                }
            }
        }
        if current.hasSuffix("\n"), !text.hasSuffix("\n") { current.removeLast() }
        if !current.isEmpty || parts.isEmpty { parts.append(current) }
        return parts
    }

    /// Cuts a line longer than the budget at character boundaries.
    private static func chop(_ line: String, budget: Int) -> [String] {
        guard line.unicodeScalars.count > budget else { return [line] }
        var pieces: [String] = []
        var piece = ""
        var count = 0
        for character in line {
            let size = character.unicodeScalars.count
            if count + size > budget {
                pieces.append(piece)
                piece = ""
                count = 0
            }
            piece.append(character)
            count += size
        }
        pieces.append(piece)
        return pieces
    }

    /// Check-run text cut to GitHub's limit, ending with where to read the rest.
    public static func checkRunText(_ text: String, fullLog: String, limit: Int = checkRunLimit) -> String {
        guard text.unicodeScalars.count > limit else { return text }
        let note = "\n\n… cut here; the full log is at \(fullLog)"
        var kept = ""
        var count = 0
        let budget = limit - note.unicodeScalars.count
        for character in text {
            let size = character.unicodeScalars.count
            if count + size > budget { break }
            kept.append(character)
            count += size
        }
        return kept + note
    }
}
