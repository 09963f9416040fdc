import AsyncHTTPClient
import Foundation
import GafferCore
import GafferGitHub
import GafferSandbox
import GafferStore
import GafferTestSupport
import NIOCore
import Testing

/// Several `gaffer serve` and `gaffer worker` processes on one PostgreSQL server, as an organisation
/// runs them behind a load balancer: any may die at any moment, and the server itself may restart.
@Suite(.postgres, .serialized) struct ReplicaTests {
    /// The environment of a replica: its own data directory, the shared database, short leases so
    /// a killed replica's jobs are taken up again soon.
    static func environment(
        _ url: String,
        directory: TemporaryDirectory,
        name: String,
        workers: Int,
        github: SandboxFixture? = nil
    ) -> [String: String] {
        var extra = ["GAFFER_DATABASE_URL": url, "GAFFER_WORKERS": String(workers), "GAFFER_JOB_LEASE_SECONDS": "2"]
        if let github {
            extra.merge(
                [
                    "GAFFER_GITHUB_API_URL": github.baseURL.absoluteString, "GAFFER_GITHUB_APP_ID": "4242",
                    "GAFFER_GITHUB_PRIVATE_KEY": github.appPrivateKeyPEM, "GAFFER_GITHUB_MUTATION_GAP_SECONDS": "0",
                    "GAFFER_GITHUB_CATCH_UP_MINUTES": "0",
                ]
            ) { $1 }
        }
        return childEnvironment(dataDirectory: directory.url.appendingPathComponent(name), extra: extra)
    }

    /// A `/help` comment alice writes on one of `issues` in the sandbox, and the webhook the sandbox raised for it
    /// (sent nowhere: the test delivers it, as a load balancer in front of the replicas would).
    static func helpComment(
        on issues: [Int],
        client: Int,
        in sandbox: SandboxFixture,
        as alice: GitHubClient
    ) async throws -> (delivery: SignedDelivery, reply: (issue: Int, key: String)) {
        let issue = issues[client % issues.count]
        let comment = try await alice.createComment(onIssue: issue, in: RepositoryRef(owner: "acme", name: "web"), body: "/help")
        var raised: SandboxWebhooks.Delivery?
        try await waitUntil(timeout: .seconds(30), "the sandbox's webhook for comment \(comment.id)") {
            raised = await sandbox.webhooks.deliveries.last { delivery in
                let payload = try? JSONSerialization.jsonObject(with: delivery.payload) as? [String: Any]
                return (payload?["comment"] as? [String: Any])?["id"] as? Int64 == comment.id
            }
            return raised != nil
        }
        guard let raised else { throw GitHubClientFixtureError("the sandbox raised no webhook for comment \(comment.id)") }
        return (SignedDelivery(id: raised.guid, event: raised.event, body: raised.payload), (issue, "reply-\(comment.id)"))
    }

    /// Posts each delivery to two replicas, one after the other, as GitHub's retry through a load balancer
    /// would, until `stop`; returns the ids some replica acknowledged with a 2xx.
    static func deliverTwice(
        to ports: @escaping @Sendable () -> [Int],
        clients: Int,
        until stop: Locked<Bool>,
        acknowledged: Locked<[String]>,
        timeout: TimeAmount = .seconds(10),
        next: @escaping @Sendable (_ client: Int, _ n: Int) async throws -> SignedDelivery = { client, n in
            try SignedDelivery.issueOpened(title: "replica \(client)-\(n)")
        }
    )
        async throws
    {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    var n = 0
                    // Cancelled too when the test fails: the group waits for its tasks before it throws.
                    while !stop.value && !Task.isCancelled {
                        n += 1
                        // Steady load, not a flood: the other suites run beside this one on the same two cores.
                        try? await Task.sleep(for: .milliseconds(25))
                        let delivery: SignedDelivery
                        do {
                            delivery = try await next(client, n)
                        } catch {
                            // Making a delivery is the test's own step (a comment on the sandbox), which a loaded machine
                            // may time out; such a delivery is never sent, so nothing is expected of it.
                            print("ReplicaTests: client \(client) could not make delivery \(n): \(error)")
                            continue
                        }
                        let targets = ports().shuffled().prefix(2)
                        var accepted = false
                        for port in targets {
                            // A refused connection (a killed replica) is retried by AHC until the deadline, so it is not long;
                            // but a loaded machine may take seconds to answer, and an answer missed is a delivery not counted.
                            if let status = try? await HTTPClient.shared.deliver(delivery, port: port, timeout: timeout),
                                (200..<300).contains(status)
                            {
                                accepted = true
                            }
                        }
                        if accepted { acknowledged.update { $0.append(delivery.id) } }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Every acknowledged delivery stored once with one job that succeeded once.
    static func expectEachDeliveryOnce(_ acked: [String], in store: PostgresStore, replicas: [GafferProcess]) async throws {
        do {
            try await waitUntil(timeout: .seconds(120), "every job to finish") {
                let counts = try await store.countsByState()
                return counts[.queued] == 0 && counts[.running] == 0
            }
        } catch {
            let unfinished = try await store.jobs(state: .running, limit: 5) + store.jobs(state: .queued, limit: 5)
            Issue.record("\(error): \(try await store.countsByState()); \(unfinished); \(replicas.map { String($0.output.suffix(3000)) })")
            throw error
        }
        #expect(try await store.deliveryCount() >= Set(acked).count)
        let jobs = try await store.jobs(state: nil, limit: 100_000)
        let byDelivery = Dictionary(grouping: jobs, by: { $0.deliveryID ?? "" })
        var problems: [String] = []
        for id in Set(acked) {
            if try await store.delivery(id: id) == nil { problems.append("\(id): acknowledged and lost") }
            let forDelivery = byDelivery[id] ?? []
            guard forDelivery.count == 1, let job = forDelivery.first else {
                problems.append("\(id): \(forDelivery.count) jobs")
                continue
            }
            let successes = try await store.events(jobID: job.id).filter { $0.to == .succeeded }.count
            if job.state != .succeeded || successes != 1 { problems.append("\(id): \(job.state), \(successes) successes") }
        }
        #expect(problems.isEmpty, "\(problems.prefix(10))")
    }

    @Test func deliveriesThroughThreeReplicasAndTwoWorkersAreKeptOnceWhileProcessesAreKilled() async throws {
        let url = try await PostgresTrait.freshDatabase()
        let directory = try TemporaryDirectory("gaffer-replicas")
        defer { directory.remove() }
        // Each delivery is a `/help` comment on the sandbox, so each job has an effect outside the database: its reply.
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        var issues: [Int] = []
        for n in 0..<3 { issues.append(try await sandbox.openIssue("replica \(n)", labels: [], as: alice).number) }
        // The sandbox sends each webhook to a path of its own that answers 404 at once (a closed port would hold its
        // sender for the whole timeout, one webhook at a time), and keeps it for the test to deliver.
        await sandbox.webhooks.configure(
            url: sandbox.baseURL.appendingPathComponent("webhook-sink"),
            secret: TestConfiguration.webhookSecret.revealed,
            timeout: .seconds(1)
        )
        let names = ["serve-a", "serve-b", "serve-c", "worker-a", "worker-b"]
        func launch(_ name: String) throws -> GafferProcess {
            try GafferProcess(
                arguments: [name.hasPrefix("serve") ? "serve" : "worker"],
                environment: Self.environment(url, directory: directory, name: name, workers: 2, github: sandbox)
            )
        }
        let processes = Locked(try Dictionary(uniqueKeysWithValues: names.map { ($0, try launch($0)) }))
        defer { for process in processes.value.values { process.stop() } }
        var initialPorts: [String: Int] = [:]
        for name in names where name.hasPrefix("serve") { initialPorts[name] = try await processes.value[name]?.waitForPort() }
        let ports = Locked(initialPorts)

        let acknowledged = Locked<[String]>([])
        let replies = Locked<[String: (issue: Int, key: String)]>([:])
        let stop = Locked(false)
        var killed: [String] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [issues] in
                try await Self.deliverTwice(to: { Array(ports.value.values) }, clients: 6, until: stop, acknowledged: acknowledged) { client, _ in
                    let (delivery, reply) = try await Self.helpComment(on: issues, client: client, in: sandbox, as: alice)
                    replies.update { $0[delivery.id] = reply }
                    return delivery
                }
            }
            // Under load, a random process is killed, then started again, three times.
            for round in 1...3 {
                try await waitUntil(timeout: .seconds(300), "deliveries before kill \(round)") { acknowledged.value.count >= round * 50 }
                guard let victim = names.randomElement(), let process = processes.value[victim] else { continue }
                killed.append(victim)
                ports.update { $0[victim] = nil }
                process.signal(SIGKILL)
                _ = try await process.waitForExit()
                let restarted = try launch(victim)
                processes.update { $0[victim] = restarted }
                if victim.hasPrefix("serve") {
                    let port = try await restarted.waitForPort()
                    ports.update { $0[victim] = port }
                }
            }
            try await waitUntil(timeout: .seconds(300), "deliveries after the last restart") { acknowledged.value.count >= 4 * 50 }
            stop.update { $0 = true }
            try await group.waitForAll()
        }

        let store = try PostgresStore(address: try PostgresAddress(url: url), poolSize: 2)
        defer { store.close() }
        try await Self.expectEachDeliveryOnce(acknowledged.value, in: store, replicas: Array(processes.value.values))
        // The jobs were spread over the processes' workers: the replicas' and the separate workers'.
        var runners = Set<String>()
        for job in try await store.jobs(state: .succeeded, limit: 100_000) {
            for worker in try await store.events(jobID: job.id).compactMap(\.worker) {
                runners.insert(worker.split(separator: "/").dropLast().joined(separator: "/"))
            }
        }
        #expect(runners.count >= 4, "killed \(killed); jobs run by \(runners)")
        // Each job's effect happened once: one reply to each comment (a job run again edits its reply, by its marker).
        var effects: [String] = []
        let answered = Set(acknowledged.value).compactMap { replies.value[$0] }
        for reply in answered {
            let count = try await sandbox.gafferComments(reply.key, on: reply.issue, as: alice).count
            if count != 1 { effects.append("\(reply.key) on #\(reply.issue): \(count) replies") }
        }
        #expect(answered.count >= 4 * 50)
        #expect(effects.isEmpty, "killed \(killed); \(effects.prefix(10))")
    }

    @Test func nothingAcknowledgedIsLostWhenThePostgreSQLServerRestarts() async throws {
        let server = try await PostgresServer.start()
        defer { server.stop() }
        _ = try await server.psql("CREATE DATABASE gaffer")
        let url = server.url(database: "gaffer", scheme: "postgres") + "?sslmode=disable"
        let directory = try TemporaryDirectory("gaffer-failover")
        defer { directory.remove() }
        let replica = try GafferProcess(arguments: ["serve"], environment: Self.environment(url, directory: directory, name: "a", workers: 2))
        defer { replica.stop() }
        let port = try await replica.waitForPort()

        let acknowledged = Locked<[String]>([])
        let stop = Locked(false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            // While the server is down, the replica holds a delivery until its query's 30 s timeout: the clients move on sooner.
            group.addTask { try await Self.deliverTwice(to: { [port] }, clients: 4, until: stop, acknowledged: acknowledged, timeout: .seconds(3)) }
            try await waitUntil("some deliveries to be acknowledged") { acknowledged.value.count >= 50 }
            try await server.restart()
            let before = acknowledged.value.count
            try await waitUntil(timeout: .seconds(60), "deliveries acknowledged after the restart") { acknowledged.value.count >= before + 50 }
            stop.update { $0 = true }
            try await group.waitForAll()
        }
        #expect(replica.isRunning, "the replica reconnected rather than dying")
        let (status, _) = try await HTTPClient.shared.api(.GET, "/health", port: port)
        #expect(status == 200)
        let store = try PostgresStore(address: try PostgresAddress(url: url), poolSize: 2)
        defer { store.close() }
        try await Self.expectEachDeliveryOnce(acknowledged.value, in: store, replicas: [replica])
    }
}
