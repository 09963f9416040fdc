/// The sections GitHub writes for an issue form: `### Label`, a blank line,
/// the answer (`_No response_` when empty). Headings inside code fences are
/// part of an answer, not new sections; `####` is a smaller heading, not a section.
public struct IssueFormBody: Sendable {
    public struct Section: Sendable {
        public var label: String
        /// The answer as written, trimmed of blank lines around it.
        public var rawText: String
        var lines: [MarkdownLines.Line]

        /// The answer with `_No response_` read as empty, and without the fence around
        /// it when the whole answer is one code block (a `render:` textarea).
        public var text: String {
            // GitHub writes "_No response_" for an empty field and "None" for a dropdown left unchosen.
            if rawText == "_No response_" || rawText == "None" { return "" }
            guard let start = lines.firstIndex(where: { !$0.text.trimmingWhitespace().isEmpty }),
                let end = lines.lastIndex(where: { !$0.text.trimmingWhitespace().isEmpty }), start < end,
                lines[start].fenceInfo != nil, lines[end].isFenceClose,
                lines[(start + 1)..<end].allSatisfy({ $0.fenceInfo == nil && !$0.isFenceClose })
            else { return rawText }
            return IssueFormBody.joinTrimmed(Array(lines[(start + 1)..<end]))
        }

        /// The items of an answer that is only a checkbox list (`- [x] item`), or nil.
        public var checkboxes: [(label: String, checked: Bool)]? {
            let items = lines.filter { !$0.text.trimmingWhitespace().isEmpty }
            guard !items.isEmpty else { return nil }
            var result: [(label: String, checked: Bool)] = []
            for line in items {
                guard !line.isCode, let item = IssueFormBody.checkbox(line.text) else { return nil }
                result.append(item)
            }
            return result
        }
    }

    /// Lines before the first section; the whole body when there are no sections.
    private(set) var preamble: [MarkdownLines.Line] = []
    public private(set) var sections: [Section] = []

    public init(_ body: String) {
        self.init(MarkdownLines(body))
    }

    init(_ markdown: MarkdownLines) {
        var current: (label: String, lines: [MarkdownLines.Line])?
        func finish() {
            guard let done = current else { return }
            sections.append(Section(label: done.label, rawText: IssueFormBody.joinTrimmed(done.lines), lines: done.lines))
        }
        for line in markdown.lines {
            if !line.isCode, let label = IssueFormBody.heading(line.text) {
                finish()
                current = (label, [])
            } else if current != nil {
                current?.lines.append(line)
            } else {
                preamble.append(line)
            }
        }
        finish()
    }

    /// The label of a `### Label` line (up to three spaces before it, optional closing `#`s).
    static func heading(_ line: Substring) -> String? {
        let trimmed = line.drop(while: { $0 == " " })
        guard line.count - trimmed.count <= 3, trimmed.hasPrefix("###") else { return nil }
        let rest = trimmed.dropFirst(3)
        guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
        var label = rest.trimmingWhitespace()
        while label.last == "#" { label = label.dropLast() }
        return String(label.trimmingWhitespace())
    }

    static func checkbox(_ line: Substring) -> (label: String, checked: Bool)? {
        let text = line.trimmingWhitespace()
        guard text.hasPrefix("- [") || text.hasPrefix("* [") else { return nil }
        let rest = text.dropFirst(3)
        let checked: Bool
        let afterBox: Substring
        if rest.hasPrefix("]") {
            checked = false
            afterBox = rest.dropFirst(1)
        } else if rest.hasPrefix(" ]") {
            checked = false
            afterBox = rest.dropFirst(2)
        } else if rest.hasPrefix("x]") || rest.hasPrefix("X]") {
            checked = true
            afterBox = rest.dropFirst(2)
        } else {
            return nil
        }
        guard afterBox.isEmpty || afterBox.first == " " else { return nil }
        return (String(afterBox.trimmingWhitespace()), checked)
    }

    static func joinTrimmed(_ lines: [MarkdownLines.Line]) -> String {
        var slice = lines[...]
        while let first = slice.first, first.text.trimmingWhitespace().isEmpty { slice = slice.dropFirst() }
        while let last = slice.last, last.text.trimmingWhitespace().isEmpty { slice = slice.dropLast() }
        return slice.map { String($0.text) }.joined(separator: "\n").trimmingWhitespace().description
    }
}
