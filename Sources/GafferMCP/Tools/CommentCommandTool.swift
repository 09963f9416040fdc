import Foundation
import GafferCore
import GafferGitHub

/// `comment_command`: comments one of Gaffer's slash-commands on an issue or pull request, as the user this server
/// acts for. Only a command is accepted, and Gaffer checks the user's permission for it as for any comment: an
/// `/approve` of the user's own task is refused there, as it would be from the web page.
struct CommentCommandTool: GafferTool {
    let name = "comment_command"
    let description =
        "Comment one of Gaffer's slash-commands (/plan, /apply, /approve, /status, ...) on an issue or pull request, "
        + "as the GitHub user this server acts for; Gaffer checks their permission for it as for any comment."
    let readOnly = false
    let github: GitHubClient
    let parser: CommandParser

    var inputSchema: JSONValue {
        ToolSchema.object(
            [
                "repository": ToolSchema.string("owner/name"), "issue": ToolSchema.integer("the issue or pull request number"),
                "command": ToolSchema.string("one slash-command line, such as /plan or /approve"),
            ],
            required: ["repository", "issue", "command"]
        )
    }

    func call(_ arguments: [String: JSONValue]) async throws -> JSONValue {
        let repository = try WriteToolTarget.repository(arguments)
        let issue = try arguments.integer("issue", in: 1...Int(Int32.max), default: 0)
        guard issue > 0 else { throw ToolInputError("`issue` is required: the issue or pull request number") }
        let command = try arguments.string("command").trimmingCharacters(in: .whitespacesAndNewlines)
        let items = parser.parse(command)
        guard !command.contains("\n"), items.count == 1, case .command(let parsed) = items[0] else {
            let known = CommandName.allCases.map { "/\($0.rawValue)" }.joined(separator: ", ")
            throw ToolInputError("`command` must be one of Gaffer's commands on one line (\(known)); nothing was commented")
        }
        let comment = try await WriteToolTarget.asUser { try await github.createComment(onIssue: issue, in: repository, body: command) }
        return ["command": .string(parsed.name.rawValue), "comment": .number(Decimal(comment.id)), "author": .string(comment.user?.login ?? "")]
    }
}
