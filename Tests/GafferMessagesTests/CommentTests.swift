import Foundation
import GafferCore
import GafferMessages
import GafferTestSupport
import Testing

/// Everything Gaffer writes, against golden files in `Golden/`. After an
/// intended change, `GAFFER_UPDATE_GOLDEN=1 swift test --filter CommentTests`
/// rewrites them; review the diff.
struct CommentTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    func comments() throws -> GafferComments {
        GafferComments(templates: try CommentTemplates(directory: Conformance.packageRoot.appendingPathComponent("templates/comments")))
    }

    func expectGolden(_ name: String, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = Self.golden.appendingPathComponent("\(name).md")
        if ProcessInfo.processInfo.environment["GAFFER_UPDATE_GOLDEN"] == "1" {
            try Data(text.utf8).write(to: file)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(text == expected, "\(name).md differs; rerun with GAFFER_UPDATE_GOLDEN=1 if the change is intended", sourceLocation: sourceLocation)
    }

    @Test func anApplicationsEntitiesReadAsOneLineInTheStatusComment() throws {
        let parsed = IssueParser().parse(
            IssueInput(
                title: "Deploy a fastapi-ecs application called shop in us-east-1",
                body: "### Entities\n\norders: id, customer\ncustomers: id, name",
                labels: ["gaffer"]
            )
        )
        let text = try comments().issueParse(parsed)
        #expect(text.contains("`orders: id, customer; customers: id, name`"), "\(text)")
    }

    @Test func everyTemplateAgainstItsGoldenFile() throws {
        let comments = try comments()
        let parser = IssueParser()
        let understood = parser.parse(
            IssueInput(
                title: "Create an S3 bucket named logs-archive in eu-west-1",
                body: "versioning: true\ntags: team=data\ncolour: blue | red\nDepends on #12",
                labels: ["gaffer"],
                author: "alice",
                number: 40
            )
        )
        try expectGolden("task-understood", try comments.issueParse(understood))
        let problems = parser.parse(IssueInput(title: "Create a bucket named Logs|Archive", body: "memorySize: `128`", labels: ["gaffer"]))
        try expectGolden("task-problems", try comments.issueParse(problems))
        let inferred = try #require(understood.task)
        try expectGolden(
            "task-inferred",
            try comments.taskInferred(
                inferred,
                fields: [("task", "create"), ("resource", "s3Bucket"), ("name", "logs-archive"), ("region", "eu-west-1"), ("versioning", "true")],
                form: "```yaml\ntask: create\nresource: s3Bucket\nname: logs-archive\nregion: eu-west-1\nversioning: true\n```\n",
                model: "anthropic/claude-sonnet-4-5"
            )
        )
        try expectGolden(
            "task-not-inferred",
            try comments.taskNotInferred(
                problems: problems.problems,
                questions: ["Which region should it be in?", "Is *this* the [name](http://x)?"],
                model: "openai/gpt-4.1"
            )
        )
        try expectGolden("command-suggestion", try comments.suggestion(given: "/aply", suggested: .apply))
        try expectGolden(
            "command-denied",
            try comments.denied(actor: "bob", command: .approve, reason: "@bob asked for this task and cannot approve it")
        )
        try expectGolden("help", try comments.help(botLogin: "gaffer[bot]"))
        try expectGolden(
            "pipeline-summary",
            try comments.pipelineSummary([
                PipelineBuildSummary(
                    buildspec: "infra/gaffer-s3-bucket-logs/buildspec.yml",
                    succeeded: true,
                    status: "SUCCEEDED",
                    detail: "every phase succeeded"
                ),
                PipelineBuildSummary(
                    buildspec: "infra/gaffer-sns-topic-alerts/buildspec.yml",
                    succeeded: false,
                    status: "FAILED",
                    detail: "build FAILED"
                ),
            ])
        )
        #expect(try comments.pipelineSummary([]).contains("nothing to run"))
        try expectGolden(
            "command-problem",
            try comments.problem(command: .apply, message: "--bogus is not a flag of /apply; its flags are --stack", line: 3)
        )
        let many = (1...12).map { CommentItem.suggestion(given: "/aply\($0)", suggested: .apply, line: $0) }
        try expectGolden(
            "command-reply",
            try #require(try comments.reply(to: many + [.command(Command(name: .help, line: 13))], botLogin: "gaffer[bot]"))
        )
    }

    @Test("a reply holds each answer once and at most ten of them, saying how many more there were")
    func repliesAreBounded() throws {
        let items =
            (1...30).map { CommentItem.problem(command: .apply, message: "unknown flag --f\($0 % 15)", line: $0) }
            + Array(repeating: CommentItem.command(Command(name: .help, line: 31)), count: 5)
        let reply = try #require(try comments().reply(to: items, botLogin: "gaffer[bot]"))
        #expect(reply.components(separatedBy: " was not run: ").count - 1 == GafferComments.maximumAnswers)
        #expect(reply.contains("21 more are not answered here"), "30 problems and one /help (said five times), less the ten shown")
        #expect(try comments().reply(to: [.command(Command(name: .apply, line: 1))], botLogin: "gaffer[bot]") == nil)
    }

    @Test func everyShippedTemplateHasAGoldenFile() throws {
        let templates = try CommentTemplates(directory: Conformance.packageRoot.appendingPathComponent("templates/comments"))
        let goldens = Set(try FileManager.default.contentsOfDirectory(atPath: Self.golden.path).map { String($0.dropLast(3)) })
        // A template with several shapes (a report per kind) has a golden file per shape: `<name>-<shape>.md`.
        func template(of golden: String) -> String? {
            templates.names.filter { golden == $0 || golden.hasPrefix($0 + "-") }.max { $0.count < $1.count }
        }
        #expect(Set(goldens.compactMap(template)) == templates.names, "every template has a golden file")
        #expect(goldens.filter { template(of: $0) == nil }.isEmpty, "every golden file belongs to a template")
    }

    @Test func anOperatorsTemplateReplacesGaffers() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data("Did you mean {{{suggested}}}? (ours)".utf8).write(to: directory.url.appendingPathComponent("command-suggestion.md"))
        let templates = try CommentTemplates(
            directory: Conformance.packageRoot.appendingPathComponent("templates/comments"),
            overrides: directory.url
        )
        #expect(try GafferComments(templates: templates).suggestion(given: "/aply", suggested: .apply) == "Did you mean `/apply`? (ours)")
    }

    @Test func userTextCannotBreakOutOfItsPlace() {
        #expect(MarkdownText.plain("a | b <script> @team & c\nd") == "a \\| b &lt;script&gt; @\u{200B}team &amp; c d")
        #expect(MarkdownText.code("plain") == "`plain`")
        #expect(MarkdownText.code("has ` one") == "``has ` one``")
        #expect(MarkdownText.code("`edge`") == "`` `edge` ``")
        #expect(MarkdownText.code("a|b") == "`a\\|b`")
    }
}
