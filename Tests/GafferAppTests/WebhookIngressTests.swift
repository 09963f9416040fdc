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
        let fixture = try await AppFixture()
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
        let fixture = try await AppFixture(workers: 0)
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
        let fixture = try await AppFixture(workers: 0)
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
        let fixture = try await AppFixture(workers: 0)
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
        let fixture = try await AppFixture(workers: 0)
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
        let fixture = try await AppFixture(workers: 0)
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
        let fixture = try await AppFixture(workers: 0) { $0.webhookSecrets = [Secret("new-one"), TestConfiguration.webhookSecret] }
        try await fixture.test { client in
            let body = try SignedDelivery.issueOpened().body
            #expect(try await client.deliver(SignedDelivery(event: "issues", body: body)).status == .accepted)
            #expect(try await client.deliver(SignedDelivery(event: "issues", body: body, secret: Secret("new-one"))).status == .accepted)
        }
    }

    @Test func anOversizedBodyIsRefused() async throws {
        let fixture = try await AppFixture(workers: 0)
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
        let fixture = try await AppFixture(workers: 0)
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
        let fixture = try await AppFixture(workers: 0)
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
        let fixture = try await AppFixture(workers: 0)
        let store = fixture.server.store
        try await fixture.test { client in
            let response = try await client.deliver(SignedDelivery(event: "issues", body: Data("[1,2,3]".utf8)))
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "bad_payload")
            #expect(try await store.deliveryCount() == 0)
        }
    }

    @Test func metricsCountDeliveriesByOutcome() async throws {
        let fixture = try await AppFixture(workers: 0)
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

    /// A connection that sends a webhook's headers and part of its body, then waits.
    final class SlowUpload: Sendable {
        let socket: Int32

        init(port: Int, declared: Int, sent: Int) throws {
            socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw CancellationError() }
            let head =
                "POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-GitHub-Event: issues\r\n"
                + "X-GitHub-Delivery: slow-\(UUID().uuidString)\r\nContent-Length: \(declared)\r\n\r\n"
            let bytes = Array(head.utf8) + Array(repeating: UInt8(ascii: " "), count: sent)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard written > 0 else { throw CancellationError() }
                offset += written
            }
        }

        func close() { _ = Glibc.close(socket) }
    }

    @Test(
        "14: unverified bodies are bounded in total: past the bound a delivery gets 503 with Retry-After, and the bytes are freed when the senders go"
    )
    func unverifiedBytesAreBounded() async throws {
        let fixture = try await AppFixture(workers: 0) { $0.webhookUnverifiedMaxBytes = 1_000_000 }
        let store = fixture.server.store
        try await fixture.test(.live) { client in
            let port = try #require(client.port)
            let slow = try (0..<2).map { _ in try SlowUpload(port: port, declared: 900_000, sent: 450_000) }
            func held() async throws -> Int {
                let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
                let line = text.split(separator: "\n").first { $0.hasPrefix("gaffer_webhook_unverified_bytes ") }
                return line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? 0
            }
            try await waitUntil(timeout: .seconds(90), "both slow bodies to be held") { try await held() >= 800_000 }
            var padded = Data(#"{"action":"opened","pad":""#.utf8)
            padded.append(Data(repeating: UInt8(ascii: "x"), count: 300_000))
            padded.append(Data(#""}"#.utf8))
            let refused = try await client.deliver(SignedDelivery(event: "issues", body: padded))
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers[.retryAfter] == "5")
            #expect(try await store.deliveryCount() == 0)

            slow.forEach { $0.close() }
            try await waitUntil(timeout: .seconds(90), "the slow senders' bytes to be freed") { try await held() == 0 }
            let accepted = try await client.deliver(SignedDelivery(event: "issues", body: padded))
            #expect(accepted.status == .accepted)
            #expect(try await held() == 0)
        }
    }
}
