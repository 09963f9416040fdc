import Foundation
import GafferGitHub
import GafferTestSupport
import Testing

@Suite struct WebhookEventTests {
    @Test func everyRealPayloadDecodesIntoItsEventModel() throws {
        var decodedByEvent: [String: Int] = [:]
        for sample in try Conformance.webhookSamples() {
            let event: WebhookEvent
            do {
                event = try WebhookEvent.decode(name: sample.event, body: sample.body)
            } catch {
                Issue.record("\(sample): \(error)")
                continue
            }
            #expect(event.name == sample.event, "\(sample)")
            let modelled = WebhookEvent.modelledEvents.contains(sample.event)
            if case .other = event {
                #expect(!modelled, "\(sample) fell back to .other")
            } else {
                #expect(modelled)
            }
            decodedByEvent[sample.event, default: 0] += 1
        }
        for name in ["issues", "issue_comment", "pull_request", "ping", "installation", "check_run"] {
            #expect((decodedByEvent[name] ?? 0) > 0, "no sample of \(name)")
        }
    }

    @Test func theModelsCarryWhatHandlersNeed() throws {
        let root = try Conformance.directory().appendingPathComponent("webhooks")
        let opened = try WebhookEvent.decode(name: "issues", body: Data(contentsOf: root.appendingPathComponent("issues/opened.payload.json")))
        guard case .issues(let issues) = opened else {
            Issue.record("not an issues event")
            return
        }
        #expect(issues.action == "opened")
        #expect(issues.issue.number == 1)
        #expect(issues.repository.fullName == "Codertocat/Hello-World")

        let comment = try WebhookEvent.decode(
            name: "issue_comment",
            body: Data(contentsOf: root.appendingPathComponent("issue_comment/created.payload.json"))
        )
        guard case .issueComment(let created) = comment else {
            Issue.record("not an issue_comment event")
            return
        }
        #expect(!created.comment.body.isEmpty)

        let empty = try WebhookEvent.decode(
            name: "issues",
            body: Data(contentsOf: root.appendingPathComponent("issues/opened.with-empty-body.payload.json"))
        )
        guard case .issues(let emptyIssue) = empty else {
            Issue.record("not an issues event")
            return
        }
        #expect(emptyIssue.issue.body == nil || emptyIssue.issue.body == "")
    }

    @Test func aPayloadOfTheWrongShapeSaysWhatIsMissing() {
        #expect {
            try WebhookEvent.decode(name: "issues", body: Data(#"{"action":"opened"}"#.utf8))
        } throws: { error in
            "\(error)".contains("issues") && "\(error)".contains("issue")
        }
    }
}
