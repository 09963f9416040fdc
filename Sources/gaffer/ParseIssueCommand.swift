import ArgumentParser
import Foundation
import GafferCore

/// `gaffer parse-issue`: what Gaffer makes of an issue, as JSON.
struct ParseIssueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse-issue",
        abstract: "Print the AwsTask an issue asks for as JSON (exit 0), or the problems with it (exit 1)."
    )

    @OptionGroup var issue: IssueOptions

    func run() throws {
        let result = try issue.parse()
        print(result.jsonText())
        if result.task == nil { throw ExitCode(1) }
    }
}

/// The options that describe an issue, as `parse-issue` and `plan` take them.
struct IssueOptions: ParsableArguments {
    @Option(help: "The issue's title.")
    var title: String = ""

    @Option(name: .customLong("body-file"), help: "A file holding the issue's body; - reads standard input.")
    var bodyFile: String

    @Option(name: .customLong("label"), help: "A label on the issue (repeat for several).")
    var labels: [String] = []

    @Option(help: "The login of the person who opened the issue.")
    var author: String?

    @Option(help: "The issue's number.")
    var number: Int?

    @Option(name: .customLong("trigger-label"), help: "The label that addresses an issue to Gaffer.")
    var triggerLabel: String = "gaffer"

    @Option(name: .customLong("default-region"), help: "The region to use when the issue names none.")
    var defaultRegion: String?

    /// Reads the body and parses the issue.
    func parse() throws -> IssueParseResult {
        let body = try CommandSupport.readInput(bodyFile)
        let parser = IssueParser(options: .init(triggerLabel: triggerLabel, defaultRegion: defaultRegion))
        return parser.parse(IssueInput(title: title, body: body, labels: labels, author: author, number: number))
    }
}

/// `gaffer parse-comment`: the commands a comment gives, as JSON.
struct ParseCommentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse-comment",
        abstract:
            "Print the commands in a comment as a JSON array. Exit 0 when every command line was understood, 1 when one was a near miss or written wrongly."
    )

    @Option(name: .customLong("body-file"), help: "A file holding the comment's body; - reads standard input.")
    var bodyFile: String

    @Option(name: .customLong("bot-login"), help: "The bot's login; its own comments are ignored and @<login> mentions it.")
    var botLogin: String = "gaffer[bot]"

    @Option(help: "The login of the comment's author.")
    var author: String?

    func run() throws {
        let body = try CommandSupport.readInput(bodyFile)
        let items = CommandParser(botLogin: botLogin).parse(body, author: author)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(items), as: UTF8.self))
        let understood = items.allSatisfy { if case .command = $0 { true } else { false } }
        if !understood { throw ExitCode(1) }
    }
}
