import AsyncHTTPClient
import Foundation
import GafferCore
import GafferStore
import GafferTestSupport
import Testing

@Suite(.serialized) struct ProcessLifecycleTests {
    @Test func everyAcknowledgedDeliverySurvivesAKillAndItsJobCompletesOnce() async throws {
        let directory = try TemporaryDirectory("gaffer-crash")
        defer { directory.remove() }
        // A short lease, so the jobs running at the kill are taken up again soon after the restart.
        let environment = childEnvironment(dataDirectory: directory.url, extra: ["GAFFER_JOB_LEASE_SECONDS": "2"])

        let first = try GafferProcess(arguments: ["serve"], environment: environment)
        defer { first.stop() }
        let port = try await first.waitForPort()

        // Post deliveries from several clients until the server is killed.
        let acknowledged = Locked<[String]>([])
        let killed = Locked(false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<8 {
                group.addTask {
                    var n = 0
                    // Also stops when the test fails first: a client loop that ignores cancellation keeps the task
                    // group, and with it the test and the server it hammers, running for ever.
                    while !killed.value, !Task.isCancelled {
                        n += 1
                        let delivery = try SignedDelivery.issueOpened(title: "crash \(client)-\(n)")
                        // AHC keeps retrying a refused connection until the deadline: keep it short.
                        if let status = try? await HTTPClient.shared.deliver(delivery, port: port, timeout: .seconds(2)), status == 202 {
                            acknowledged.update { $0.append(delivery.id) }
                        }
                    }
                }
            }
            try await waitUntil(timeout: .seconds(120), "some deliveries to be acknowledged") { acknowledged.value.count >= 300 }
            first.signal(SIGKILL)
            _ = try await first.waitForExit()
            killed.update { $0 = true }
            try await group.waitForAll()
        }
        let acked = acknowledged.value
        #expect(acked.count >= 300)

        let second = try GafferProcess(arguments: ["serve"], environment: environment)
        defer { second.stop() }
        _ = try await second.waitForPort()
        let store = try SQLiteStore(dataDirectory: directory.url)
        defer { try? store.close() }
        try await waitUntil(timeout: .seconds(120), "every job to finish after the restart") {
            let counts = try await store.countsByState()
            return counts[.queued] == 0 && counts[.running] == 0
        }
        for id in acked {
            let delivery = try await store.delivery(id: id)
            #expect(delivery != nil, "acknowledged delivery \(id) was lost")
        }
        let jobs = try await store.jobs(state: nil, limit: 100_000)
        let byDelivery = Dictionary(grouping: jobs, by: { $0.deliveryID ?? "" })
        for id in acked {
            let forDelivery = byDelivery[id] ?? []
            #expect(forDelivery.count == 1, "delivery \(id) has \(forDelivery.count) jobs")
            guard let job = forDelivery.first else { continue }
            #expect(job.state == .succeeded)
            let successes = try await store.events(jobID: job.id).filter { $0.to == .succeeded }
            #expect(successes.count == 1)
        }
        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0)
    }

    @Test func aSeparateWorkerProcessRunsWhatServeQueues() async throws {
        let directory = try TemporaryDirectory("gaffer-worker")
        defer { directory.remove() }
        let serve = try GafferProcess(
            arguments: ["serve"],
            environment: childEnvironment(dataDirectory: directory.url, extra: ["GAFFER_WORKERS": "0"])
        )
        defer { serve.stop() }
        let port = try await serve.waitForPort()
        let worker = try GafferProcess(
            arguments: ["worker"],
            environment: childEnvironment(dataDirectory: directory.url, extra: ["GAFFER_WORKERS": "2"])
        )
        defer { worker.stop() }

        let (status, created) = try await HTTPClient.shared.api(.POST, "/jobs", json: #"{"job_type":"echo","payload":{"from":"serve"}}"#, port: port)
        #expect(status == 201)
        let id = try #require(created["job_id"] as? Int)
        var job: [String: Any] = [:]
        try await waitUntil("the worker process to run the job") {
            job = try await HTTPClient.shared.api(.GET, "/jobs/\(id)", port: port).1
            return job["status"] as? String == "SUCCEEDED"
        }
        let events = try #require(job["events"] as? [[String: Any]])
        let runner = events.compactMap { $0["worker"] as? String }.first ?? ""
        #expect(runner.contains("/\(worker.pid)/"), "run by \(runner), not the worker process \(worker.pid)")
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
    }

    @Test func sigtermLetsTheRunningJobFinishThenExitsCleanly() async throws {
        let directory = try TemporaryDirectory("gaffer-drain")
        defer { directory.remove() }
        // The most verbose logging, to check that no secret reaches a log line.
        let process = try GafferProcess(
            arguments: ["serve"],
            environment: childEnvironment(
                dataDirectory: directory.url,
                extra: [
                    "GAFFER_WORKERS": "1", "GAFFER_DRAIN_TIMEOUT_SECONDS": "20", "GAFFER_LOG_LEVEL": "trace",
                ]
            )
        )
        defer { process.stop() }
        let port = try await process.waitForPort()
        let (status, created) = try await HTTPClient.shared.api(.POST, "/jobs", json: #"{"job_type":"sleep","payload":{"seconds":1}}"#, port: port)
        #expect(status == 201)
        let id = try #require(created["job_id"] as? Int)
        try await waitUntil("the job to start") {
            try await HTTPClient.shared.api(.GET, "/jobs/\(id)", port: port).1["status"] as? String == "RUNNING"
        }
        process.signal(SIGTERM)
        #expect(try await process.waitForExit() == 0)
        let store = try SQLiteStore(dataDirectory: directory.url)
        defer { try? store.close() }
        #expect(try await store.job(id: JobID(id))?.state == .succeeded)
        #expect(process.output.contains("draining"))
        #expect(!process.output.contains(TestConfiguration.webhookSecret.revealed))
        #expect(!process.output.contains(TestConfiguration.apiToken.revealed))
    }

    @Test func sigtermGivesBackAJobThatOutlastsTheDrainTimeout() async throws {
        let directory = try TemporaryDirectory("gaffer-drain-timeout")
        defer { directory.remove() }
        let process = try GafferProcess(
            arguments: ["serve"],
            environment: childEnvironment(dataDirectory: directory.url, extra: ["GAFFER_WORKERS": "1", "GAFFER_DRAIN_TIMEOUT_SECONDS": "0.5"])
        )
        defer { process.stop() }
        let port = try await process.waitForPort()
        let (_, created) = try await HTTPClient.shared.api(.POST, "/jobs", json: #"{"job_type":"sleep","payload":{"seconds":120}}"#, port: port)
        let id = try #require(created["job_id"] as? Int)
        try await waitUntil("the job to start") {
            try await HTTPClient.shared.api(.GET, "/jobs/\(id)", port: port).1["status"] as? String == "RUNNING"
        }
        process.signal(SIGTERM)
        #expect(try await process.waitForExit(timeout: .seconds(30)) == 0)
        let store = try SQLiteStore(dataDirectory: directory.url)
        defer { try? store.close() }
        let job = try #require(try await store.job(id: JobID(id)))
        #expect(job.state == .queued)
        #expect(job.attempts == 0)
    }

    @Test func aBadConfigurationListsEveryProblemAndExitsWithTwo() async throws {
        let process = try GafferProcess(
            arguments: ["serve"],
            environment: ["GAFFER_PORT": "99999", "GAFFER_WORKERS": "many", "GAFFER_DATA_DIR": "/dev/null/gaffer"]
        )
        defer { process.stop() }
        #expect(try await process.waitForExit() == 2)
        let output = process.output
        #expect(output.contains("GAFFER_PORT"))
        #expect(output.contains("GAFFER_WORKERS"))
        #expect(output.contains("GAFFER_WEBHOOK_SECRET"))
        #expect(output.contains("GAFFER_DATA_DIR"))
    }

    @Test func pauseAndResumeFromTheCommandLine() async throws {
        let directory = try TemporaryDirectory("gaffer-pause")
        defer { directory.remove() }
        func gaffer(_ arguments: [String]) async throws -> (Int32, String) {
            let process = try GafferProcess(arguments: arguments, environment: ["GAFFER_DATA_DIR": directory.url.path, "USER": "erin"])
            return (try await process.waitForExit(), process.output)
        }
        let (refused, usage) = try await gaffer(["pause", "--reason", " "])
        #expect(refused == 64 && usage.contains("--reason must say why Gaffer is paused"), "\(refused) \(usage)")
        let (paused, said) = try await gaffer(["pause", "--reason", "incident 42"])
        #expect(paused == 0 && said.contains("Gaffer is paused by erin: incident 42. `gaffer resume` undoes it."), "\(said)")
        let (_, again) = try await gaffer(["pause", "--reason", "another", "--by", "bob"])
        #expect(again.contains("Gaffer was already paused by erin at ") && again.contains(": incident 42"), "\(again)")
        let (resumed, back) = try await gaffer(["resume"])
        #expect(resumed == 0 && back.contains("Gaffer is resumed (it was paused by erin: incident 42)."), "\(back)")
        let (_, twice) = try await gaffer(["resume"])
        #expect(twice.contains("Gaffer is not paused."))
    }

    @Test func migrateAndVersionWork() async throws {
        let directory = try TemporaryDirectory("gaffer-migrate")
        defer { directory.remove() }
        let migrate = try GafferProcess(arguments: ["migrate"], environment: ["GAFFER_DATA_DIR": directory.url.path])
        #expect(try await migrate.waitForExit() == 0)
        #expect(migrate.output.contains("applied 7 migrations"))
        let again = try GafferProcess(arguments: ["migrate"], environment: ["GAFFER_DATA_DIR": directory.url.path])
        #expect(try await again.waitForExit() == 0)
        #expect(again.output.contains("up to date"))
        let version = try GafferProcess(arguments: ["version"], environment: [:])
        #expect(try await version.waitForExit() == 0)
        #expect(version.output.contains("gaffer \(GafferVersion.current)"))
    }
}
