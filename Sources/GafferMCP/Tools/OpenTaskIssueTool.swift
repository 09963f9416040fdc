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
