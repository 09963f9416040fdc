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

    func run() async throws {
        guard let mode = SQLiteSynchronous(rawValue: synchronous) else {
            throw ValidationError("--synchronous must be normal or full")
        }
        let directory = URL(fileURLWithPath: under).appendingPathComponent("gaffer-queue-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(dataDirectory: directory, synchronous: mode)
        try store.migrate()
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
            try await withThrowingTaskGroup(of: Void.self) { producers in
                for producer in 0..<producerCount {
                    producers.addTask {
                        for n in stride(from: producer, to: total, by: producerCount) {
                            let payload = Data(#"{"n":\#(n),"text":"hello"}"#.utf8)
                            _ = try await store.enqueue(NewJob(type: "echo", payload: payload, maxAttempts: 3))
                        }
                    }
                }
                try await producers.waitForAll()
            }
            let enqueued = clock.now - start
            while try await store.hasUnfinishedJobs() {
                try await Task.sleep(for: .milliseconds(5))
            }
            let finished = clock.now - start
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return (enqueued, finished)
        }

        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("jobs").path))?.count ?? 0
        let counts = try await store.countsByState()
        try store.close()
        let seconds = finished / .seconds(1), enqueueSeconds = enqueued / .seconds(1)
        let result: [String: JSONValue] = [
            "benchmark": .string("queue"),
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
}
