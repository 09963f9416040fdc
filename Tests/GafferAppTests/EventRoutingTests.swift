import Foundation
import GafferApp
import GafferGitHub
import GafferTestSupport
import Logging
import Synchronization
import Testing

@Suite struct EventRoutingTests {
    /// The handler each real payload must reach, by event and action; nil: none.
    func expectedHandler(event: String, action: String?) -> String? {
        switch (event, action) {
        case ("issues", "opened"), ("issues", "edited"), ("issues", "labeled"), ("issues", "reopened"): "task-intake"
        case ("issue_comment", "created"): "comment-commands"
        case ("pull_request", "closed"): "pull-request-log"
        case ("pull_request", "opened"), ("pull_request", "synchronize"), ("pull_request", "reopened"), ("check_run", "rerequested"):
            "pull-request-pipeline-log"
        case ("installation", _): "installation-log"
        case ("check_run", "requested_action"): "check-run-log"
        default: nil
        }
    }

    @Test func everyRealPayloadReachesTheHandlerForItsEventAndAction() async throws {
        let router = EventRouter(handlers: try StandardEventHandlers.all())
        var routed = Set<String>()
        for sample in try Conformance.webhookSamples() {
            let event = try WebhookEvent.decode(name: sample.event, body: sample.body)
            let names = try await router.route(event, context: EventContext(deliveryID: "t", logger: Logger(label: "t")))
            let expected = expectedHandler(event: sample.event, action: event.action)
            #expect(names == (expected.map { [$0] } ?? []), "\(sample)")
            #expect(router.handles(event: sample.event, action: event.action) == (expected != nil))
            routed.formUnion(names)
        }
        // Every registered handler was reached by some real payload.
        #expect(routed == Set(try StandardEventHandlers.all().map(\.name)))
    }

    final class Recorder: WebhookEventHandler {
        let name: String
        let subscriptions: [EventSubscription]
        let seen = Mutex<[String]>([])
        init(name: String, subscriptions: [EventSubscription]) {
            self.name = name
            self.subscriptions = subscriptions
        }
        func handle(_ event: WebhookEvent, context: EventContext) async throws {
            seen.withLock { $0.append("\(event.name).\(event.action ?? "-")") }
        }
    }

    @Test func handlersRunInTheOrderRegisteredAndOnlyForTheirActions() async throws {
        let first = Recorder(name: "first", subscriptions: [EventSubscription("issues")])
        let second = Recorder(name: "second", subscriptions: [EventSubscription("issues", actions: ["closed"])])
        let router = EventRouter(handlers: [first, second])
        let body = try Data(contentsOf: Conformance.directory().appendingPathComponent("webhooks/issues/opened.payload.json"))
        let names = try await router.route(
            try WebhookEvent.decode(name: "issues", body: body),
            context: EventContext(deliveryID: "t", logger: Logger(label: "t"))
        )
        #expect(names == ["first"])
        #expect(first.seen.withLock { $0 } == ["issues.opened"])
        #expect(second.seen.withLock { $0 }.isEmpty)
    }
}
