import Foundation
import GafferApp
import GafferCore
import GafferGitHub
import GafferTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct WebhookIngressTests {
    @Test func aSignedIssueIsStoredQueuedAndRunByAWorker() async throws {
        let fixture = try AppFixture()
        let store = fixture.server.store
        try await fixture.test { client in
            let delivery = try SignedDelivery.issueOpened()
            let response = try await client.deliver(delivery)
            #expect(response.status == .accepted)
            #expect(response.json["status"] as? String == "queued")
            let jobID = try #require(response.json["job_id"] as? Int)
            #expect(try await store.delivery(id: delivery.id)?.action == "opened")
            try await waitUntil("the delivery job to finish") { try await store.job(id: JobID(jobID))?.state == .succeeded }
            let job = try #require(try await store.job(id: JobID(jobID)))
            let result = try JSONValue.decode(try #require(job.result))
            #expect(result["handled_by"] == .array([.string("task-intake")]))
        }
    }

    @Test func aRedeliveryIsAcknowledgedAndQueuesNothing() async throws {
        let fixture = try AppFixture(workers: 0)
        let store = fixture.server.store
        try await fixture.test { client in
            let delivery = try SignedDelivery.issueOpened()
            #expect(try await client.deliver(delivery).status == .accepted)
            let again = try await client.deliver(delivery)
            #expect(again.status == .ok)
            #expect(again.json["status"] as? String == "duplicate")
            #expect(try await store.deliveryCount() == 1)
            #expect(try await store.jobs(state: nil, limit: 10).count == 1)
        }
    }

    @Test func pingIsAnsweredAndRecordedWithoutAJob() async throws {
        let fixture = try AppFixture(workers: 0)
        let store = fixture.server.store
        try await fixture.test { client in
            let body = try Data(contentsOf: Conformance.directory().appendingPathComponent("webhooks/ping/payload.json"))
            let response = try await client.deliver(SignedDelivery(event: "ping", body: body))
            #expect(response.status == .ok)
            #expect(response.json["status"] as? String == "recorded")
            #expect(try await store.deliveryCount() == 1)
            #expect(try await store.jobs(state: nil, limit: 10).isEmpty)
        }
    }

    @Test func anEventGafferDoesNotActOnIsRecordedNotQueued() async throws {
        let fixture = try AppFixture(workers: 0)
        let store = fixture.server.store
        try await fixture.test { client in
            let root = try Conformance.directory().appendingPathComponent("webhooks")
            let push = try Data(contentsOf: root.appendingPathComponent("push/payload.json"))
            let pinned = try Data(contentsOf: root.appendingPathComponent("issues/pinned.payload.json"))
            for delivery in [SignedDelivery(event: "push", body: push), SignedDelivery(event: "issues", body: pinned)] {
                let response = try await client.deliver(delivery)
                #expect(response.status == .ok)
                #expect(response.json["status"] as? String == "recorded")
                #expect((response.json["message"] as? String)?.contains("does not act on") == true)
            }
            #expect(try await store.deliveryCount() == 2)
            #expect(try await store.jobs(state: nil, limit: 10).isEmpty)
        }
    }

    @Test func aFormEncodedDeliveryIsVerifiedOnTheRawBodyAndStoredAsJSON() async throws {
        let fixture = try AppFixture(workers: 0)
        let store = fixture.server.store
        try await fixture.test { client in
            let json = try SignedDelivery.issueOpened().body
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let form = "payload=" + (String(decoding: json, as: UTF8.self).addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
            let delivery = SignedDelivery(event: "issues", body: Data(form.utf8))
            let response = try await client.deliver(delivery, contentType: "application/x-www-form-urlencoded")
            #expect(response.status == .accepted)
            #expect(try await store.delivery(id: delivery.id)?.body == json)
        }
    }

    @Test func aMissingOrWrongSignatureIsRefusedAndNothingIsStored() async throws {
        let fixture = try AppFixture(workers: 0)
        let store = fixture.server.store
        try await fixture.test { client in
            let body = try SignedDelivery.issueOpened().body
            let unsigned = SignedDelivery(event: "issues", body: body, secret: nil)
            let missing = try await client.deliver(unsigned)
            #expect(missing.status == .unauthorized)
            #expect(missing.errorMessage.contains("missing X-Hub-Signature-256"))

            let wrong = try await client.deliver(SignedDelivery(event: "issues", body: body, secret: Secret("wrong")))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorCode == "bad_signature")
            #expect(try await store.deliveryCount() == 0)
        }
    }

    @Test func aRotatedSecretIsAcceptedBesideTheNewOne() async throws {
        let fixture = try AppFixture(workers: 0) { $0.webhookSecrets = [Secret("new-one"), TestConfiguration.webhookSecret] }
        try await fixture.test { client in
            let body = try SignedDelivery.issueOpened().body
            #expect(try await client.deliver(SignedDelivery(event: "issues", body: body)).status == .accepted)
            #expect(try await client.deliver(SignedDelivery(event: "issues", body: body, secret: Secret("new-one"))).status == .accepted)
        }
    }

    @Test func anOversizedBodyIsRefused() async throws {
        let fixture = try AppFixture(workers: 0)
        let store = fixture.server.store
        try await fixture.test { client in
            var body = Data(#"{"action":"opened","pad":""#.utf8)
            body.append(Data(repeating: UInt8(ascii: "x"), count: 25 << 20))
            body.append(Data(#""}"#.utf8))
            let response = try await client.deliver(SignedDelivery(event: "issues", body: body))
            #expect(response.status == .contentTooLarge)
            #expect(response.errorMessage.contains("25 MB"))
            #expect(try await store.deliveryCount() == 0)
        }
    }

    @Test func anUnsupportedContentTypeIsRefused() async throws {
        let fixture = try AppFixture(workers: 0)
        let store = fixture.server.store
        try await fixture.test { client in
            let response = try await client.deliver(try SignedDelivery.issueOpened(), contentType: "text/plain")
            #expect(response.status == .unsupportedMediaType)
            #expect(response.errorMessage.contains("application/json"))
            #expect(try await store.deliveryCount() == 0)
        }
    }

    @Test(arguments: ["X-GitHub-Event", "X-GitHub-Delivery"])
    func aMissingGitHubHeaderIsRefused(_ header: String) async throws {
        let fixture = try AppFixture(workers: 0)
        let store = fixture.server.store
        try await fixture.test { client in
            var delivery = try SignedDelivery.issueOpened()
            delivery.headers.removeAll { $0.0 == header }
            let response = try await client.deliver(delivery)
            #expect(response.status == .badRequest)
            #expect(response.errorMessage.contains(header))
            #expect(try await store.deliveryCount() == 0)
        }
    }

    @Test func aSignedBodyThatIsNotAJSONObjectIsRefused() async throws {
        let fixture = try AppFixture(workers: 0)
        let store = fixture.server.store
        try await fixture.test { client in
            let response = try await client.deliver(SignedDelivery(event: "issues", body: Data("[1,2,3]".utf8)))
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "bad_payload")
            #expect(try await store.deliveryCount() == 0)
        }
    }

    @Test func metricsCountDeliveriesByOutcome() async throws {
        let fixture = try AppFixture(workers: 0)
        try await fixture.test { client in
            let delivery = try SignedDelivery.issueOpened()
            _ = try await client.deliver(delivery)
            _ = try await client.deliver(delivery)
            _ = try await client.deliver(SignedDelivery(event: "issues", body: delivery.body, secret: nil))
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            let text = String(buffer: metrics.body)
            #expect(text.contains(#"gaffer_webhook_deliveries_total{outcome="queued"} 1"#))
            #expect(text.contains(#"gaffer_webhook_deliveries_total{outcome="duplicate"} 1"#))
            #expect(text.contains(#"gaffer_webhook_deliveries_total{outcome="rejected"} 1"#))
            #expect(text.contains(#"gaffer_jobs{state="queued"} 1"#))
            #expect(text.contains("gaffer_job_queue_depth 1"))
        }
    }
}
