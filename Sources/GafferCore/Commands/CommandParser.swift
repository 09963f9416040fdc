import Foundation

/// Reads the commands in a comment: lines starting `/name` or `@<bot> name`,
/// several per comment. Lines in code fences, indented code, block quotes
/// (people quote earlier comments) and HTML comments are not read; nor is
/// anything the bot wrote itself. An unknown `/word` close to a known command
/// gets a "did you mean"; other unknown words are left alone, because other
/// bots (Prow's `/hold`, `/lgtm`) share the repository.
public struct CommandParser: Sendable {
    /// The bot's login, such as `gaffer[bot]`; `@gaffer` mentions it.
    public var botLogin: String

    public init(botLogin: String = "gaffer[bot]") {
        self.botLogin = botLogin
    }

    /// How people mention the bot: `@gaffer` for `gaffer[bot]`, lower-cased.
    public var mention: String {
        let login = botLogin.lowercased()
        return "@" + (login.hasSuffix("[bot]") ? String(login.dropLast(5)) : login)
    }

    public func parse(_ body: String, author: String? = nil) -> [CommentItem] {
        if let author, author.caseInsensitiveCompare(botLogin) == .orderedSame { return [] }
        var items: [CommentItem] = []
        for (offset, line) in MarkdownLines(body).lines.enumerated() where !line.isCode {
            let text = line.text
            let indent = text.prefix(while: { $0 == " " || $0 == "\t" })
            guard indent.count < 4, !indent.contains("\t") else { continue }
            let content = text.dropFirst(indent.count)
            guard !content.hasPrefix(">") else { continue }
            if let item = read(content, line: offset + 1) { items.append(item) }
        }
        return items
    }

    private func read(_ content: Substring, line: Int) -> CommentItem? {
        var rest: Substring
        if content.hasPrefix("/") {
            rest = content.dropFirst()
        } else if content.lowercased().hasPrefix(mention),
            content.dropFirst(mention.count).first.map({ $0 == " " || $0 == "\t" }) ?? false
        {
            rest = content.dropFirst(mention.count).trimmingWhitespace()
            if rest.hasPrefix("/") { rest = rest.dropFirst() }
        } else {
            return nil
        }
        let word = rest.prefix(while: { !$0.isWhitespace })
        let lowered = word.lowercased()
        guard let name = CommandName(rawValue: lowered) else {
            guard CommandParser.isWord(lowered), let near = CommandParser.nearMiss(lowered) else { return nil }
            return .suggestion(given: "/" + word, suggested: near, line: line)
        }
        switch CommandParser.tokens(rest.dropFirst(word.count)) {
        case .failure(let violation):
            return .problem(command: name, message: violation.rule, line: line)
        case .success(let tokens):
            return CommandParser.command(name, tokens: tokens, line: line)
        }
    }

    static func command(_ name: CommandName, tokens: [Token], line: Int) -> CommentItem {
        var command = Command(name: name, line: line)
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            guard !token.quoted, token.text.hasPrefix("--"), token.text.count > 2 else {
                command.arguments.append(token.text)
                continue
            }
            var flag = String(token.text.dropFirst(2))
            var value: String?
            if let equals = flag.firstIndex(of: "=") {
                value = String(flag[flag.index(after: equals)...])
                flag = String(flag[..<equals])
            }
            if name.switchFlags.contains(flag) {
                command.flags[flag] = value ?? "true"
            } else if name.valueFlags.contains(flag) {
                if value == nil, index < tokens.count, !(tokens[index].text.hasPrefix("--") && !tokens[index].quoted) {
                    value = tokens[index].text
                    index += 1
                }
                guard let value, !value.isEmpty else {
                    return .problem(command: name, message: "--\(flag) needs a value, as in /\(name.rawValue) --\(flag) NAME", line: line)
                }
                command.flags[flag] = value
            } else {
                let known = (name.valueFlags + name.switchFlags).map { "--\($0)" }
                let hint = known.isEmpty ? "/\(name.rawValue) takes no flags" : "known flags: \(known.joined(separator: ", "))"
                return .problem(command: name, message: "unknown flag --\(flag) for /\(name.rawValue); \(hint)", line: line)
            }
        }
        return .command(command)
    }

    /// `/word` where word is letters, digits and hyphens: a path such as `/usr/bin` is not a command.
    static func isWord(_ word: String) -> Bool {
        !word.isEmpty && word.count <= 32 && word.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// A known command within edit distance 2, and close for its length: at most a
    /// third of a short word may differ, so Prow's `/hold` is not taken for `/help`.
    static func nearMiss(_ word: String) -> CommandName? {
        let limit = min(2, (word.count - 1) / 2)
        guard limit > 0 else { return nil }
        return EditDistance.nearest(to: word, in: CommandName.allCases.map(\.rawValue), within: limit).flatMap(CommandName.init(rawValue:))
    }

    struct Token: Equatable {
        var text: String
        var quoted: Bool
    }

    /// Splits at spaces; "double" and 'single' quotes group words, `\"` escapes inside double quotes.
    static func tokens(_ text: Substring) -> Result<[Token], RuleViolation> {
        var tokens: [Token] = []
        var current = ""
        var quoted = false
        var quote: Character?
        var escaped = false
        var inToken = false
        for character in text {
            if let open = quote {
                if escaped {
                    current.append(character)
                    escaped = false
                } else if character == "\\", open == "\"" {
                    escaped = true
                } else if character == open {
                    quote = nil
                } else {
                    current.append(character)
                }
            } else if character.isWhitespace {
                if inToken { tokens.append(Token(text: current, quoted: quoted)) }
                current = ""
                quoted = false
                inToken = false
            } else if character == "\"" || character == "'" || character == "“" || character == "”" {
                quote = character == "“" ? "”" : character
                quoted = true
                inToken = true
            } else {
                current.append(character)
                inToken = true
            }
        }
        if quote != nil { return .failure(RuleViolation("has a quote that is not closed; close it, as in /deny \"too expensive\"")) }
        if inToken { tokens.append(Token(text: current, quoted: quoted)) }
        return .success(tokens)
    }
}
