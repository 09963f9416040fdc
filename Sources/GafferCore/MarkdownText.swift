/// Makes text that came from people or from AWS safe to put into a comment:
/// it cannot break the table it sits in, open HTML, or mention anyone.
public enum MarkdownText {
    /// Plain text for a table cell or a list item.
    public static func plain(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "|": result += "\\|"
            case "\n", "\r\n", "\r", "\t": result += " "
            // A zero-width space after @ keeps "@team" from notifying anyone.
            case "@": result += "@\u{200B}"
            default: result.append(character)
            }
        }
        return result
    }

    /// Text a model wrote, for a list item: like `plain`, and it cannot emphasise, link or autolink either,
    /// so an answer cannot dress itself up as Gaffer's own words or send a reader anywhere.
    public static func untrusted(_ text: String) -> String {
        var result = ""
        for character in plain(text) {
            if "\\`*_[]~".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result.replacingOccurrences(of: "://", with: ":/\u{200B}/").replacingOccurrences(of: "www.", with: "www\u{200B}.")
    }

    /// A fenced block that shows `text` exactly, its lines kept, whatever backticks it holds.
    public static func block(_ text: String) -> String {
        var longest = 0
        var run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return "\(fence)\n\(text)\n\(fence)"
    }

    /// A code span that shows `text` exactly, whatever backticks it holds (and safe in a table).
    public static func code(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "|", with: "\\|")
        var longest = 0
        var run = 0
        for character in flat {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let padded = flat.hasPrefix("`") || flat.hasSuffix("`") || flat.isEmpty ? " \(flat) " : flat
        return fence + padded + fence
    }
}
