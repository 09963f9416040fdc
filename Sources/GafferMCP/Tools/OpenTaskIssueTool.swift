import Foundation
import GafferCore
import GafferGitHub

/// `open_task_issue`: opens an issue asking Gaffer for work, as the GitHub user whose token `gaffer mcp` was given,
/// with that user's rights. It is checked as Gaffer would read it first, so an assistant fixes it before anyone sees
/// it; Gaffer then takes it up as any issue that person opened, through the same checks and approvals.
struct OpenTaskIssueTool: GafferTool {
    let name = "open_task_issue"
    let description =
        "Open a GitHub issue asking Gaffer for AWS work, as the GitHub user this server acts for (their rights apply). "
        + "It is parsed first: an issue Gaffer could not type is refused with its problems, and nothing is opened."
    let readOnly = false
    let parser: IssueParser
    let github: GitHubClient

    var inputSchema: JSONValue {
        ToolSchema.object(
            [
                "repository": ToolSchema.string("owner/name of the repository Gaffer is installed on"),
                "title": ToolSchema.string("the issue's title, such as Create an S3 bucket named logs-archive in eu-west-1"),
                "body": ToolSchema.string("the issue's body: key: value lines or an issue form's sections"),
            ],
            required: ["repository", "title"]
        )
    }

    func call(_ arguments: [String: JSONValue]) async throws -> JSONValue {
        let repository = try WriteToolTarget.repository(arguments)
        let title = try arguments.string("title")
        let body = arguments["body"]?.stringValue ?? ""
        let label = parser.options.triggerLabel
        let parsed = parser.parse(IssueInput(title: title, body: body, labels: [label]))
        guard case .task = parsed else {
            let problems = parsed.problems.map { "\($0.field): \($0.rule)" }.joined(separator: "; ")
            throw ToolInputError("Gaffer could not read this issue, so it was not opened: \(problems). Fix these and call again.")
        }
        let issue = try await WriteToolTarget.asUser { try await github.createIssue(in: repository, title: title, body: body, labels: [label]) }
        return ["number": .number(Decimal(issue.number)), "url": .string(issue.htmlUrl), "author": .string(issue.user?.login ?? "")]
    }
}

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

/// What the write tools share: the repository argument, and GitHub's refusals in the user's terms.
enum WriteToolTarget {
    static func repository(_ arguments: [String: JSONValue]) throws -> RepositoryRef {
        let parts = try arguments.string("repository").split(separator: "/").map(String.init)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty }) else {
            throw ToolInputError("`repository` must be owner/name, such as acme/infra")
        }
        return RepositoryRef(owner: parts[0], name: parts[1])
    }

    /// GitHub's answer to the user's token: a refusal is the user's rights, said as such.
    static func asUser<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as GitHubAPIError where [401, 403, 404, 410, 422].contains(error.status) {
            throw ToolInputError("GitHub refused it for this user (\(error.status): \(error.message)); nothing was written")
        }
    }
}
