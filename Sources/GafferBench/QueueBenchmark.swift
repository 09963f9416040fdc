import ArgumentParser
import Foundation
import GafferApp
import GafferCore
import GafferStore
import Logging
import ServiceLifecycle

/// Enqueues `echo` jobs and runs them with the real worker pool over a real
/// store, end to end (claim, run, `result.json`, completion), and prints
/// the throughput as one JSON object.
@main
struct QueueBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaffer-queue-bench",
        abstract: "Enqueue and run N echo jobs through the SQLite queue and the worker pool; print jobs/s as JSON."
    )

    @Option(help: "Jobs to enqueue and run.") var jobs = 20_000
    @Option(help: "Workers (jobs run at once).") var workers = 32
    @Option(help: "Tasks enqueueing at once.") var producers = 64
    @Option(help: "normal or full.") var synchronous = "normal"
    @Option(help: "Where to make the data directory (it is removed afterwards).") var under = FileManager.default.temporaryDirectory.path
    @Flag(help: "Skip each job's result.json, to measure the queue without the disk's cost of a directory per job.")
    var withoutResultFiles = false
    @Option(help: "Use this PostgreSQL store (postgres://…) instead of SQLite.") var databaseURL: String?
    @Flag(help: "Only enqueue (PostgreSQL): `gaffer worker` processes run the jobs, timed by scripts/bench/postgres_queue.py.")
    var enqueueOnly = false

    func run() async throws {
        guard let mode = SQLiteSynchronous(rawValue: synchronous) else {
            throw ValidationError("--synchronous must be normal or full")
        }
        let directory = URL(fileURLWithPath: under).appendingPathComponent("gaffer-queue-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store: any GafferDatabase
        if let databaseURL {
            let postgres = try PostgresStore(address: try PostgresAddress(url: databaseURL), poolSize: producers)
            try await postgres.migrate()
            store = postgres
        } else {
            let sqlite = try SQLiteStore(dataDirectory: directory, synchronous: mode)
            try sqlite.migrate()
            store = sqlite
        }
        if enqueueOnly {
            guard databaseURL != nil else { throw ValidationError("--enqueue-only goes with --database-url") }
            let start = ContinuousClock.now
            try await enqueue(into: store)
            let seconds = (ContinuousClock.now - start) / .seconds(1)
            store.shutdown()
            let result: [String: JSONValue] = [
                "benchmark": .string("queue-enqueue"), "store": .string("postgres"), "jobs": .number(Decimal(jobs)),
                "producers": .number(Decimal(producers)), "enqueue_s": .number(Decimal((seconds * 1000).rounded()) / 1000),
                "enqueued_per_s": .number(Decimal((Double(jobs) / seconds).rounded())),
            ]
            print(String(decoding: try JSONValue.object(result).encoded(), as: UTF8.self))
            return
        }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let pool = WorkerPool(
            queue: store,
            registry: JobRegistry([EchoJob()]),
            settings: .init(
                count: workers,
                leaseDuration: 30,
                pollInterval: 0.5,
                drainTimeout: 10,
                retryPolicy: RetryPolicy(baseDelay: .seconds(1), maxDelay: .seconds(10)),
                writesResultFiles: !withoutResultFiles
            ),
            dataDirectory: directory,
            metrics: GafferMetrics(),
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [pool], logger: logger))
        let total = jobs, producerCount = producers
        let clock = ContinuousClock()

        let (enqueued, finished) = try await withThrowingTaskGroup(of: Void.self) { tasks -> (Duration, Duration) in
            tasks.addTask { try await group.run() }
            let start = clock.now
            try await enqueue(into: store)
            let enqueued = clock.now - start
            while try await Self.unfinished(store) {
                try await Task.sleep(for: .milliseconds(5))
            }
            let finished = clock.now - start
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return (enqueued, finished)
        }

        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("jobs").path))?.count ?? 0
        let counts = try await store.countsByState()
        store.shutdown()
        let seconds = finished / .seconds(1), enqueueSeconds = enqueued / .seconds(1)
        let result: [String: JSONValue] = [
            "benchmark": .string("queue"),
            "store": .string(databaseURL == nil ? "sqlite" : "postgres"),
            "synchronous": .string(synchronous),
            "data_under": .string(under),
            "result_files_written": .bool(!withoutResultFiles),
            "jobs": .number(Decimal(total)),
            "workers": .number(Decimal(workers)),
            "producers": .number(Decimal(producerCount)),
            "enqueue_s": .number(Decimal((enqueueSeconds * 1000).rounded()) / 1000),
            "total_s": .number(Decimal((seconds * 1000).rounded()) / 1000),
            "jobs_per_s": .number(Decimal((Double(total) / seconds).rounded())),
            "succeeded": .number(Decimal(counts[.succeeded] ?? 0)),
            "result_files": .number(Decimal(files)),
        ]
        print(String(decoding: try JSONValue.object(result).encoded(), as: UTF8.self))
    }

    /// Whether a job is queued or running: SQLite answers from one index probe.
    static func unfinished(_ store: any GafferDatabase) async throws -> Bool {
        if let sqlite = store as? SQLiteStore { return try await sqlite.hasUnfinishedJobs() }
        if try await store.runnableCount() > 0 { return true }
        return !(try await store.jobs(state: .running, limit: 1).isEmpty)
    }

    /// `jobs` echo jobs, enqueued by `producers` tasks at once.
    private func enqueue(into store: any GafferDatabase) async throws {
        let total = jobs, producerCount = producers
        try await withThrowingTaskGroup(of: Void.self) { group in
            for producer in 0..<producerCount {
                group.addTask {
                    for n in stride(from: producer, to: total, by: producerCount) {
                        let payload = Data(#"{"n":\#(n),"text":"hello"}"#.utf8)
                        _ = try await store.enqueue(NewJob(type: "echo", payload: payload, maxAttempts: 3))
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
