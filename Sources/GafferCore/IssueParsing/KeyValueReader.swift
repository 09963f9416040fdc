/// Reads `key: value` text: the small part of YAML people write in an issue.
/// Top-level `key: value`, quoted keys and values, `[a, b]` and `{a: b}` on one
/// line, an indented block of `- item` lines or of `key: value` pairs under a
/// bare `key:`, and `|` / `>` text blocks. In strict mode (a ```` ```yaml ````
/// block, the form's settings) a line it cannot read is an error; in lenient
/// mode (loose lines of an issue body) it is prose and is skipped.
struct KeyValueReader {
    struct Entry {
        var key: String
        var value: RawValue
        var line: Int
    }

    struct LineError {
        var line: Int
        var text: String
        var message: String
    }

    private(set) var entries: [Entry] = []
    private(set) var errors: [LineError] = []

    init(_ lines: [Substring], strict: Bool) {
        var index = 0
        var baseIndent: Int?
        while index < lines.count {
            let line = lines[index]
            let lineNumber = index + 1
            index += 1
            let content = line.trimmingWhitespace()
            if content.isEmpty || content.hasPrefix("#") || content == "---" { continue }
            let indent = KeyValueReader.indent(of: line)
            if strict, line.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") {
                errors.append(LineError(line: lineNumber, text: String(line), message: "uses a tab to indent; YAML indents with spaces"))
                continue
            }
            let base = baseIndent ?? indent
            baseIndent = base
            guard let (key, rest) = KeyValueReader.splitKey(strict ? content : KeyValueReader.unbulleted(content), fieldNamesOnly: !strict) else {
                if strict {
                    errors.append(LineError(line: lineNumber, text: String(line), message: "is not a key: value line"))
                }
                continue
            }
            if strict, indent != base {
                errors.append(
                    LineError(line: lineNumber, text: String(line), message: "is indented as if it belonged to a block; put it at the left margin")
                )
                continue
            }
            let value = KeyValueReader.stripComment(rest)
            if !strict {
                if !value.isEmpty { entries.append(Entry(key: key, value: .text(KeyValueReader.unquote(value)), line: lineNumber)) }
                continue
            }
            if value.isEmpty || value == "|" || value == ">" || value == "|-" || value == ">-" {
                // A block: every following line indented further than this key.
                var block: [Substring] = []
                while index < lines.count {
                    let next = lines[index]
                    if !next.trimmingWhitespace().isEmpty, KeyValueReader.indent(of: next) <= indent { break }
                    block.append(next)
                    index += 1
                }
                let (blockValue, unreadable) = KeyValueReader.block(block, folded: value.hasPrefix(">"), literal: !value.isEmpty)
                entries.append(Entry(key: key, value: blockValue, line: lineNumber))
                for text in unreadable {
                    errors.append(
                        LineError(
                            line: lineNumber,
                            text: String(text),
                            message: "is not a \"- item\" or \"key: value\" line of the block under \(key)"
                        )
                    )
                }
            } else if value.hasPrefix("["), value.hasSuffix("]") {
                let items = KeyValueReader.splitFlow(value.dropFirst().dropLast())
                entries.append(Entry(key: key, value: .list(items.map { KeyValueReader.unquote($0) }), line: lineNumber))
            } else if value.hasPrefix("{"), value.hasSuffix("}") {
                let pairs = KeyValueReader.splitFlow(value.dropFirst().dropLast()).compactMap { item -> RawValue.Pair? in
                    guard let (k, v) = KeyValueReader.splitKey(item) else { return nil }
                    return RawValue.Pair(key: k, value: KeyValueReader.unquote(v))
                }
                entries.append(Entry(key: key, value: .pairs(pairs), line: lineNumber))
            } else {
                entries.append(Entry(key: key, value: .text(KeyValueReader.unquote(value)), line: lineNumber))
            }
        }
    }

    /// The value of an indented block, and the lines that could not be read.
    private static func block(_ lines: [Substring], folded: Bool, literal: Bool) -> (RawValue, unreadable: [Substring]) {
        let content = lines.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        if literal {
            return (.text(content.joined(separator: folded ? " " : "\n")), [])
        }
        if !content.isEmpty, content.allSatisfy({ $0.hasPrefix("- ") || $0 == "-" }) {
            return (.list(content.map { unquote(stripComment($0.dropFirst(1).trimmingWhitespace())) }), [])
        }
        var pairs: [RawValue.Pair] = []
        var unreadable: [Substring] = []
        for line in content where !line.hasPrefix("#") {
            if let (key, value) = splitKey(line) {
                pairs.append(RawValue.Pair(key: key, value: unquote(stripComment(value))))
            } else {
                unreadable.append(line)
            }
        }
        return (.pairs(pairs), unreadable)
    }

    static func indent(of line: Substring) -> Int {
        line.prefix(while: { $0 == " " || $0 == "\t" }).count
    }

    /// `- key: value`, `* **Key**: value` and `**Key:** value` are how people write fields in prose.
    static func unbulleted(_ line: Substring) -> Substring {
        var text = line
        if text.hasPrefix("- ") || text.hasPrefix("* ") { text = text.dropFirst(2).trimmingWhitespace() }
        if text.hasPrefix("**") {
            text = text.dropFirst(2)
            if let close = text.firstRange(ofASCII: "**") {
                var key = text[..<close.lowerBound]
                var rest = text[close.upperBound...]
                if key.hasSuffix(":") {
                    key = key.dropLast()
                    rest = ":" + rest
                }
                return Substring(key + rest)
            }
        }
        return text
    }

    /// Splits `key: value` (or `"quoted key": value`) at the first colon followed by a space,
    /// as YAML does, so `aws:team: data` has the key `aws:team`. With `fieldNamesOnly` (loose
    /// lines of prose) the key must look like a field name: a letter, then letters, digits,
    /// spaces, `_`, `-` or `.`, at most 64 characters.
    static func splitKey(_ line: Substring, fieldNamesOnly: Bool = false) -> (key: String, rest: Substring)? {
        if let quote = line.first, quote == "\"" || quote == "'" {
            let body = line.dropFirst()
            guard let end = body.firstIndex(of: quote) else { return nil }
            let after = body[body.index(after: end)...]
            guard after.hasPrefix(":") else { return nil }
            return (String(body[..<end]), after.dropFirst().trimmingWhitespace())
        }
        var colon: Substring.Index?
        var index = line.startIndex
        while index < line.endIndex {
            if line[index] == ":" {
                let next = line.index(after: index)
                if next == line.endIndex || line[next] == " " || line[next] == "\t" {
                    colon = index
                    break
                }
            }
            index = line.index(after: index)
        }
        guard let colon else { return nil }
        let key = line[..<colon].trimmingWhitespace()
        guard !key.isEmpty, !key.hasPrefix("- ") else { return nil }
        if fieldNamesOnly {
            guard key.count <= 64, let first = key.unicodeScalars.first, first.properties.isAlphabetic,
                key.allSatisfy({ $0.isLetter || $0.isNumber || " _-.".contains($0) })
            else { return nil }
        }
        return (String(key), line[line.index(after: colon)...].trimmingWhitespace())
    }

    /// Drops a ` # comment`. `#` followed by a digit is kept: people write `dependsOn: #12`.
    static func stripComment(_ value: Substring) -> Substring {
        if value.hasPrefix("#"), !(value.dropFirst().first?.isNumber ?? false) { return "" }
        if value.first == "\"" || value.first == "'" { return value }
        var index = value.startIndex
        while let hash = value[index...].firstRange(ofASCII: " #") {
            let next = value[hash.upperBound...].first
            if next?.isNumber != true { return value[..<hash.lowerBound].trimmingWhitespace() }
            index = hash.upperBound
        }
        return value
    }

    /// Removes surrounding quotes; in double quotes `\"` and `\\` are escapes.
    static func unquote(_ value: Substring) -> String {
        let text = value.trimmingWhitespace()
        guard text.count >= 2, let first = text.first, first == text.last, first == "\"" || first == "'" else { return String(text) }
        let inner = text.dropFirst().dropLast()
        if first == "'" { return inner.replacingOccurrences(of: "''", with: "'") }
        var result = ""
        var escaped = false
        for character in inner {
            if escaped {
                result.append(character == "n" ? "\n" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// Splits `a, "b, c", d` at commas outside quotes.
    static func splitFlow(_ text: Substring) -> [Substring] {
        var items: [Substring] = []
        var start = text.startIndex
        var quote: Character?
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "," {
                items.append(text[start..<index].trimmingWhitespace())
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        items.append(text[start...].trimmingWhitespace())
        return items.filter { !$0.isEmpty }
    }

    /// How a value is written so that `unquote` reads it back unchanged.
    static func quoted(_ value: String) -> String {
        let plain =
            !value.isEmpty && value.trimmingWhitespace().count == value.count
            && !value.contains(" #") && !value.contains(": ") && !value.hasPrefix("#")
            && !value.contains("\n") && !value.contains("\\")
            && !"\"'[{|>-".contains(value.first ?? " ") && !value.hasSuffix(":")
        if plain { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\"\(escaped)\""
    }
}

extension IssueParser {
    /// How a value is written in a `key: value` line so that the parser reads it back unchanged.
    public static func quoted(_ value: String) -> String { KeyValueReader.quoted(value) }
}
