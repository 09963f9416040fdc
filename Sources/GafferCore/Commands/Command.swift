/// One command read from a comment.
public struct Command: Sendable, Hashable, Codable {
    public var name: CommandName
    /// Words after the name that are not flags, quotes removed: `/deny "too expensive"` gives `["too expensive"]`.
    public var arguments: [String]
    /// `--stack logs` and `--stack=logs` give `["stack": "logs"]`; a switch such as `--force` gives `"true"`.
    public var flags: [String: String]
    /// The line the command was read from, 1-based.
    public var line: Int

    public init(name: CommandName, arguments: [String] = [], flags: [String: String] = [:], line: Int = 1) {
        self.name = name
        self.arguments = arguments
        self.flags = flags
        self.line = line
    }

    private enum CodingKeys: String, CodingKey { case name, arguments, flags, line }
}

/// What a comment line said: a command, a near miss, or a command written wrongly.
public enum CommentItem: Sendable, Hashable {
    case command(Command)
    /// `/aply`: "did you mean /apply?"
    case suggestion(given: String, suggested: CommandName, line: Int)
    /// A known command written wrongly, such as an unknown flag or an unclosed quote.
    case problem(command: CommandName, message: String, line: Int)
}

extension CommentItem: Encodable {
    private enum Keys: String, CodingKey { case name, arguments, flags, line, suggestion, given, problem, command }

    /// Commands as `{"name", "arguments", "flags", "line"}`; a near miss as
    /// `{"suggestion": "did you mean /apply?", "given": "/aply", "line"}`; a problem as
    /// `{"problem": ..., "command": "apply", "line"}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        switch self {
        case .command(let command):
            try container.encode(command.name, forKey: .name)
            try container.encode(command.arguments, forKey: .arguments)
            try container.encode(command.flags, forKey: .flags)
            try container.encode(command.line, forKey: .line)
        case .suggestion(let given, let suggested, let line):
            try container.encode("did you mean /\(suggested.rawValue)?", forKey: .suggestion)
            try container.encode(given, forKey: .given)
            try container.encode(line, forKey: .line)
        case .problem(let command, let message, let line):
            try container.encode(message, forKey: .problem)
            try container.encode(command, forKey: .command)
            try container.encode(line, forKey: .line)
        }
    }
}
