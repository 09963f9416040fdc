import Foundation
import GafferApp
import GafferCore
import GafferGitHub
import GafferTestSupport
import Testing

/// The task-intake and comment-command handlers on real GitHub payloads.
struct RequestHandlerTests {
    func payload(_ path: String) throws -> Data {
        try Data(contentsOf: Conformance.directory().appendingPathComponent("webhooks/\(path)"))
    }

    func issuesEvent(labels: [String], body: String, title: String) throws -> IssuesEvent {
        guard case .issues(var event) = try WebhookEvent.decode(name: "issues", body: payload("issues/opened.payload.json")) else {
            throw CancellationError()
        }
        event.issue.labels = labels.map { GitHubLabel(name: $0) }
        event.issue.body = body
        event.issue.title = title
        return event
    }

    @Test func anIssueWithTheTriggerLabelBecomesATask() throws {
        let handler = TaskIntakeHandler(parser: IssueParser(options: .init(triggerLabel: "ops")))
        let event = try issuesEvent(labels: ["ops", "aws:s3Bucket"], body: "bucketName: logs-archive\nregion: eu-west-1", title: "Create it")
        let task = try #require(handler.intake(event)?.task)
        #expect(task.kind == .create && task.resourceName == "logs-archive")
        #expect(task.requester == event.issue.user.login && task.issue == event.issue.number)
        // Without the label the issue is not Gaffer's business.
        #expect(handler.intake(try issuesEvent(labels: ["gaffer"], body: "", title: "Create bucket x in eu-west-1")) == nil)
    }

    @Test func everyRealIssuesPayloadIsReadWithoutTheLabelAsNotForGaffer() throws {
        let handler = TaskIntakeHandler(parser: IssueParser())
        for sample in try Conformance.webhookSamples() where sample.event == "issues" {
            guard case .issues(let event) = try WebhookEvent.decode(name: sample.event, body: sample.body) else { continue }
            let labelled = (event.issue.labels ?? []).contains { $0.name == "gaffer" }
            #expect((handler.intake(event) != nil) == labelled, "\(sample)")
        }
    }

    @Test func commentsAreReadForCommandsButNotTheBotsOwn() throws {
        let handler = CommentCommandHandler(parser: CommandParser(botLogin: "gaffer[bot]"), runners: try CommandRunners.standard())
        guard case .issueComment(var event) = try WebhookEvent.decode(name: "issue_comment", body: payload("issue_comment/created.payload.json"))
        else {
            Issue.record("not an issue_comment")
            return
        }
        event.comment.body = "> /destroy\n/apply --stack logs"
        #expect(handler.commands(event) == [.command(Command(name: .apply, flags: ["stack": "logs"], line: 2))])
        event.comment.user.login = "gaffer[bot]"
        #expect(handler.commands(event).isEmpty)
    }

    @Test func theRequestSettingsComeFromConfiguration() throws {
        let configuration = try ConfigurationLoader.load(
            file: nil,
            environment: ["GAFFER_TRIGGER_LABEL": "ops-bot", "GAFFER_BOT_LOGIN": "ops[bot]", "GAFFER_DEFAULT_REGION": "eu-north-1"],
            needs: []
        )
        #expect(configuration.triggerLabel == "ops-bot" && configuration.botLogin == "ops[bot]" && configuration.defaultRegion == "eu-north-1")
        do {
            _ = try ConfigurationLoader.load(file: nil, environment: ["GAFFER_DEFAULT_REGION": "eu-west-9", "GAFFER_BOT_LOGIN": "a b"], needs: [])
            Issue.record("bad settings were accepted")
        } catch {
            #expect(error.problems.count == 2)
            #expect(error.description.contains("eu-west-9"))
        }
    }
}
