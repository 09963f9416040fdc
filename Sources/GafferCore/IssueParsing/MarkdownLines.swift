import Foundation

/// A markdown body as lines, with what Gaffer must not read as instructions
/// marked or removed: code fences are marked (their lines kept, for values that
/// quote code), HTML comments are cut out. CRLF and CR endings become LF.
/// One pass, linear in the length of the body.
struct MarkdownLines {
    struct Line {
        var text: Substring
        /// Inside a code fence, or the fence line itself.
        var isCode: Bool
        /// The info string of an opening fence line (`yaml` in ```` ```yaml ````).
        var fenceInfo: Substring?
        var isFenceClose: Bool = false
    }

    private(set) var lines: [Line] = []

    init(_ body: String) {
        let text = body.utf8.contains(13) ? body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n") : body
        var fence: (marker: Character, length: Int)?
        var inComment = false
        for bytes in text.utf8.split(separator: 10, omittingEmptySubsequences: false) {
            let raw = Substring(bytes)
            if let open = fence {
                let closes = MarkdownLines.fenceMarker(raw).map { $0.marker == open.marker && $0.length >= open.length && $0.info.isEmpty } ?? false
                if closes { fence = nil }
                lines.append(Line(text: raw, isCode: true, isFenceClose: closes))
                continue
            }
            var line = raw
            if inComment {
                guard let end = line.firstRange(ofASCII: "-->") else {
                    // Kept as an empty line so that line numbers stay those of the body.
                    lines.append(Line(text: line[line.endIndex...], isCode: false))
                    continue
                }
                line = line[end.upperBound...]
                inComment = false
            }
            if !inComment, let marker = MarkdownLines.fenceMarker(line),
                marker.marker == "~" || !marker.info.contains("`")
            {
                fence = (marker.marker, marker.length)
                lines.append(Line(text: line, isCode: true, fenceInfo: marker.info))
                continue
            }
            let (kept, opensComment) = MarkdownLines.removingComments(line)
            inComment = opensComment
            lines.append(Line(text: kept, isCode: false))
        }
    }

    /// A fence line: up to three spaces, then three or more backticks or tildes, then the info string.
    static func fenceMarker(_ line: Substring) -> (marker: Character, length: Int, info: Substring)? {
        var index = line.startIndex
        var spaces = 0
        while index < line.endIndex, line[index] == " ", spaces < 4 {
            spaces += 1
            index = line.index(after: index)
        }
        guard spaces <= 3, index < line.endIndex else { return nil }
        let marker = line[index]
        guard marker == "`" || marker == "~" else { return nil }
        var length = 0
        while index < line.endIndex, line[index] == marker {
            length += 1
            index = line.index(after: index)
        }
        guard length >= 3 else { return nil }
        return (marker, length, line[index...].trimmingWhitespace())
    }

    /// The line without its `<!-- ... -->` comments, and whether a comment stays open past its end.
    static func removingComments(_ line: Substring) -> (Substring, opensComment: Bool) {
        guard line.containsASCII("<!--") else { return (line, false) }
        var kept = ""
        var rest = line
        while let start = rest.firstRange(ofASCII: "<!--") {
            kept += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            guard let end = after.firstRange(ofASCII: "-->") else { return (Substring(kept), true) }
            rest = after[end.upperBound...]
        }
        kept += rest
        return (Substring(kept), false)
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> SubSequence {
        var start = startIndex
        var end = endIndex
        while start < end, self[start].isWhitespace { start = index(after: start) }
        while end > start, self[index(before: end)].isWhitespace { end = index(before: end) }
        return self[start..<end]
    }
}
