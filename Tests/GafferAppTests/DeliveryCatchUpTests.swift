import Foundation
import GafferApp
import GafferCore
import GafferGitHub
import GafferStore
import GafferTestSupport
import Logging
import Testing

/// Catching up on deliveries GitHub could not hand over: Gaffer's real ingress
/// on 127.0.0.1, the GitHub sandbox sending to it.
struct DeliveryCatchUpTests {
    @Test func missedDeliveriesAreRedeliveredOnceAndStoredOnesAreNot() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await GafferServer(
            configuration: TestConfiguration.make(directory: directory.url, workers: 0),
            logger: Logger(label: "test")
        )
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = server.makeApplication { continuation.yield($0) }
        let running = RunningService(application)
        defer { running.stop() }
        var gafferPort = 0
        for await port in ports {
            gafferPort = port
            break
        }
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let person = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let repository = RepositoryRef(owner: "acme", name: "web")
        struct NewIssue: Encodable, Sendable { var title: String }

        // Gaffer is down: the first delivery fails.
        await sandbox.webhooks.configure(
            url: URL(string: "http://127.0.0.1:1/webhooks/github"),
            secret: TestConfiguration.webhookSecret.revealed,
            timeout: .seconds(1)
        )
        let issue = try await person.send(
            "POST",
            "/repos/acme/web/issues",
            body: NewIssue(title: "Create bucket"),
            as: .token,
            decoding: GitHubIssueDetails.self
        )
        try await waitUntil(timeout: .seconds(10), "the failed delivery") { await sandbox.webhooks.deliveries.count == 1 }
        // Gaffer is up: the second arrives, but GitHub counts it failed (say, it timed out after Gaffer's commit).
        await sandbox.webhooks.configure(
            url: URL(string: "http://127.0.0.1:\(gafferPort)/webhooks/github"),
            secret: TestConfiguration.webhookSecret.revealed
        )
        _ = try await person.createComment(onIssue: issue.number, in: repository, body: "/plan")
        try await waitUntil(timeout: .seconds(10), "the second delivery") { await sandbox.webhooks.deliveries.count == 2 }
        let (missed, stored) = await (sandbox.webhooks.deliveries[0], sandbox.webhooks.deliveries[1])
        #expect(missed.statusCode == 0 && stored.statusCode == 202)
        _ = await sandbox.webhooks.markFailed(guid: stored.guid)
        #expect(try await server.store.delivery(id: missed.guid) == nil)

        let app = try await sandbox.client(.app(id: "4242", privateKeyPEM: Secret(sandbox.appPrivateKeyPEM)))
        let catchUp = DeliveryCatchUp(client: app, deliveries: server.store)
        #expect(try await catchUp.run() == [missed.guid])
        try await waitUntil(timeout: .seconds(10), "the redelivery to be stored") { try await server.store.delivery(id: missed.guid) != nil }
        // Once is enough: the next run asks for nothing.
        #expect(try await catchUp.run().isEmpty)
        let redeliveries = await sandbox.webhooks.deliveries.filter(\.redelivery)
        #expect(redeliveries.map(\.guid) == [missed.guid])
    }

    /// A store that has none of the deliveries.
    struct EmptyDeliveryStore: DeliveryStore {
        func record(_ delivery: Delivery, job: NewJob?) async throws -> DeliveryRecordOutcome { throw CancellationError() }
        func delivery(id: String) async throws -> Delivery? { nil }
        func deliveryCount() async throws -> Int { 0 }
    }

    @Test("10: a missed delivery three pages down is found, and a redelivery that fails again is asked for on later runs, at most three times")
    func pagesThroughAndRetriesFailedRedeliveries() async throws {
        let receiverUp = Locked(true)
        let receiver = try await StubHTTPServer.start { _ in StubResponse(status: receiverUp.value ? 202 : 503) }
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        await sandbox.webhooks.configure(url: URL(string: receiver.url + "/webhooks/github"), secret: "s")
        receiverUp.update { $0 = false }
        let missed = try #require(
            await sandbox.webhooks.send(event: "ping", action: nil, payload: Data("{}".utf8), installation: nil, repositoryID: nil)
        )
        receiverUp.update { $0 = true }
        for _ in 0..<250 {
            _ = await sandbox.webhooks.send(event: "ping", action: nil, payload: Data("{}".utf8), installation: nil, repositoryID: nil)
        }
        let app = try await sandbox.client(.app(id: "4242", privateKeyPEM: Secret(sandbox.appPrivateKeyPEM)))
        let catchUp = DeliveryCatchUp(client: app, deliveries: EmptyDeliveryStore())
        receiverUp.update { $0 = false }  // every redelivery fails
        for run in 1...3 {
            #expect(try await catchUp.run() == [missed.guid], "run \(run)")
        }
        #expect(try await catchUp.run().isEmpty, "three failed redeliveries settle it")
        #expect(await sandbox.webhooks.deliveries.filter { $0.guid == missed.guid && $0.redelivery }.count == 3)
        let listings = await sandbox.state.requests.filter { $0.path == "/app/hook/deliveries" }
        #expect(listings.count >= 4 * 3, "three pages a run")
        await receiver.stop()
    }
}
