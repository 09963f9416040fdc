import Foundation
import GafferApp
import GafferCore
import GafferGitHub
import GafferTestSupport
import Logging
import Testing

/// The samples in `webhooks/` are what operators send to try Gaffer: each
/// must decode and reach the handler its README names.
@Suite struct SampleDeliveryTests {
    struct Sample: Decodable {
        var event: String
        var delivery: String
        var body: JSONBody
    }

    /// Keeps the body as raw JSON bytes.
    struct JSONBody: Decodable {
        var data: Data
        init(from decoder: any Decoder) throws {
            let value = try JSONValue(from: decoder)
            data = try value.encoded()
        }
    }

    @Test func everySampleDecodesAndReachesItsHandler() async throws {
        let expected = [
            "issues.opened.json": ["task-intake"],
            "issue_comment.created.json": ["comment-commands"],
            "pull_request.closed.json": ["pull-request-log"],
            "ping.json": [],
        ]
        let folder = Conformance.packageRoot.appendingPathComponent("webhooks")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files == expected.keys.sorted())
        let router = EventRouter(handlers: try StandardEventHandlers.all())
        for file in files {
            let sample = try JSONDecoder().decode(Sample.self, from: Data(contentsOf: folder.appendingPathComponent(file)))
            let event = try WebhookEvent.decode(name: sample.event, body: sample.body.data)
            #expect(event.name == sample.event)
            if case .other = event { Issue.record("\(file) did not decode into a model") }
            let handled = try await router.route(event, context: EventContext(deliveryID: sample.delivery, logger: Logger(label: "t")))
            #expect(handled == expected[file], "\(file)")
        }
    }
}
