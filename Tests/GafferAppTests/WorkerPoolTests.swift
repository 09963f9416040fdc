import Foundation
import GafferApp
import GafferCore
import GafferTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import GafferStore

/// Fails until its `failures` budget is spent, then succeeds.
final class FlakyJob: JobHandler {
    let jobType = "flaky"
    let failuresLeft: Mutex<Int>

    init(failures: Int) { failuresLeft = Mutex(failures) }

    struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }

    func run(_ context: JobContext) async throws -> JobResult {
        let fail = failuresLeft.withLock { left -> Bool in
            defer { left -= 1 }
            return left > 0
        }
        if fail { throw Boom() }
        return try JobResult(.object(["attempt": .number(Decimal(context.job.attempts))]))
    }
}

/// Records how many of its jobs run at the same time.
final class ConcurrencyProbe: JobHandler {
    let jobType = "probe"
    let counts = Mutex((now: 0, most: 0))

    func run(_ context: JobContext) async throws -> JobResult {
        counts.withLock { counts in
            counts.now += 1
            counts.most = max(counts.most, counts.now)
        }
        try await Task.sleep(for: .milliseconds(20))
        counts.withLock { $0.now -= 1 }
        return JobResult(json: Data("{}".utf8))
    }
}

/// Waits until its job has been taken from it (cancelled in the store), then returns a late result.
struct OutlivedJob: JobHandler {
    let jobType = "outlived"
    let store: SQLiteStore

    func run(_ context: JobContext) async throws -> JobResult {
        try await waitUntil(timeout: .seconds(10), "the job to be taken away") { try await store.job(id: context.job.id)?.state == .cancelled }
        return JobResult(json: Data(#"{"late":true}"#.utf8))
    }
}

/// Runs until the test opens its gate, so a test sees it running however slowly it polls.
final class GatedJob: JobHandler {
    let jobType = "gated"
    private let state = Mutex((started: false, open: false))

    var started: Bool { state.withLock { $0.started } }
    func open() { state.withLock { $0.open = true } }

    func run(_ context: JobContext) async throws -> JobResult {
        state.withLock { $0.started = true }
        try await waitUntil(timeout: .seconds(60), "the test to open the gate") { state.withLock { $0.open } }
        return JobResult(json: Data("{}".utf8))
    }
}

/// Is stopped once from outside, as work whose task lock was lost is: its task cancelled, and an error saying why.
final class LockLostOnceJob: JobHandler {
    let jobType = "lock-lost-once"
    let runs = Mutex(0)

    struct LockLost: Error, CustomStringConvertible { var description: String { "the lock on 'acme/web#9' was lost" } }

    func run(_ context: JobContext) async throws -> JobResult {
        let first = runs.withLock { runs in
            runs += 1
            return runs == 1
        }
        guard first else { return JobResult(json: Data("{}".utf8)) }
        withUnsafeCurrentTask { $0?.cancel() }
        throw LockLost()
    }
}

/// The store, with each heartbeat held until the test lets it through and completions answered when the test says:
/// so a test can put a heartbeat between a job's completion in the store and its worker hearing of it.
final class SteppedQueue: JobQueue {
    let store: SQLiteStore
    private let state = Mutex((asked: 0, allowed: 0, answering: true))

    init(_ store: SQLiteStore) { self.store = store }

    func answersCompletions(_ answering: Bool) { state.withLock { $0.answering = answering } }
    func letHeartbeatsThrough() { state.withLock { $0.allowed = .max } }

    /// Lets the next heartbeat through, and returns once the pool asks for the one after: it has read the last.
    func letAHeartbeatThrough() async throws {
        try await waitUntil(timeout: .seconds(60), "the pool to ask for a heartbeat") { self.state.withLock { $0.asked > $0.allowed } }
        let next = state.withLock { state in
            state.allowed = state.asked
            return state.asked + 1
        }
        try await waitUntil(timeout: .seconds(60), "the pool to ask for heartbeat \(next)") { self.state.withLock { $0.asked >= next } }
    }

    func heartbeat(owner: String, leaseDuration: TimeInterval) async throws -> [JobLease] {
        let number = state.withLock { state in
            state.asked += 1
            return state.asked
        }
        try await waitUntil(timeout: .seconds(60), "the test to let heartbeat \(number) through") { self.state.withLock { $0.allowed >= number } }
        return try await store.heartbeat(owner: owner, leaseDuration: leaseDuration)
    }

    func complete(_ lease: JobLease, result: Data) async throws -> Bool {
        let done = try await store.complete(lease, result: result)
        try await waitUntil(timeout: .seconds(60), "the test to answer completions") { self.state.withLock { $0.answering } }
        return done
    }

    var wakeSignal: WakeSignal { store.wakeSignal }
    func enqueue(_ job: NewJob) async throws -> Job { try await store.enqueue(job) }
    func claim(owner: String, limit: Int, leaseDuration: TimeInterval) async throws -> [Job] {
        try await store.claim(owner: owner, limit: limit, leaseDuration: leaseDuration)
    }
    func fail(_ lease: JobLease, error: String, retryAfter: TimeInterval?) async throws -> JobState? {
        try await store.fail(lease, error: error, retryAfter: retryAfter)
    }
    func release(_ leases: [JobLease], reason: String) async throws { try await store.release(leases, reason: reason) }
    func park(_ lease: JobLease, reason: String) async throws { try await store.park(lease, reason: reason) }
    func cancel(id: JobID, reason: String) async throws -> Job? { try await store.cancel(id: id, reason: reason) }
    func job(id: JobID) async throws -> Job? { try await store.job(id: id) }
    func jobs(state: JobState?, limit: Int) async throws -> [Job] { try await store.jobs(state: state, limit: limit) }
    func events(jobID: JobID) async throws -> [JobEvent] { try await store.events(jobID: jobID) }
    func countsByState() async throws -> [JobState: Int] { try await store.countsByState() }
    func runnableCount() async throws -> Int { try await store.runnableCount() }
}

/// Holds its thread without awaiting, as a CPU-bound agent would.
struct ThreadHog: JobHandler {
    let jobType = "hog"
    let seconds: Double

    func run(_ context: JobContext) async throws -> JobResult {
        let until = Date().addingTimeInterval(seconds)
        while Date() < until { usleep(5_000) }
        return JobResult(json: Data("{}".utf8))
    }
}

@Suite struct WorkerPoolTests {
    struct PoolFixture {
        let directory: TemporaryDirectory
        let store: SQLiteStore
        let pool: WorkerPool
        let stop: EmergencyStop

        /// - Parameter logLines: where the pool's log goes; nowhere when nil.
        init(
            workers: Int = 2,
            leaseSeconds: Double = 30,
            drainTimeout: Double = 10,
            handlers: [any JobHandler] = [],
            logLines: Locked<[String]>? = nil,
            clock: any WallClock = SystemWallClock(),
            queue: (SQLiteStore) -> any JobQueue = { $0 }
        ) throws {
            directory = try TemporaryDirectory("gaffer-pool")
            store = try SQLiteStore(dataDirectory: directory.url, clock: clock)
            try store.migrate()
            var logger = logLines.map { GafferTestSupport.RecordingLogHandler.logger($0) } ?? Logger(label: "pool-test")
            logger.logLevel = logLines == nil ? .critical : .warning
            stop = EmergencyStop(store: store)
            pool = WorkerPool(
                queue: queue(store),
                registry: JobRegistry([EchoJob(), SleepJob()] + handlers),
                settings: .init(
                    count: workers,
                    leaseDuration: leaseSeconds,
                    pollInterval: 0.05,
                    drainTimeout: drainTimeout,
                    retryPolicy: RetryPolicy(baseDelay: .milliseconds(20), maxDelay: .milliseconds(50))
                ),
                dataDirectory: directory.url,
                metrics: GafferMetrics(),
                emergencyStop: stop,
                logger: logger
            )
        }

        /// Runs the pool while `body` runs; then shuts it down gracefully, runs `whileDraining`, and waits for it.
        func whileRunning(_ body: () async throws -> Void, whileDraining: () -> Void = {}) async throws {
            let group = ServiceGroup(configuration: .init(services: [pool], logger: Logger(label: "group")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                do {
                    try await body()
                } catch {
                    await group.triggerGracefulShutdown()
                    throw error
                }
                await group.triggerGracefulShutdown()
                whileDraining()
                try await tasks.waitForAll()
            }
        }

        func cleanUp() {
            try? store.close()
            directory.remove()
        }
    }

    @Test func aFailingJobIsRetriedWithBackoffUntilItSucceeds() async throws {
        let fixture = try PoolFixture(handlers: [FlakyJob(failures: 2)])
        defer { fixture.cleanUp() }
        let job = try await fixture.store.enqueue(NewJob(type: "flaky", payload: Data("{}".utf8), maxAttempts: 5))
        try await fixture.whileRunning {
            try await waitUntil("the flaky job to succeed") { try await fixture.store.job(id: job.id)?.state == .succeeded }
        }
        let done = try #require(try await fixture.store.job(id: job.id))
        #expect(done.attempts == 3)
        let events = try await fixture.store.events(jobID: job.id)
        #expect(events.filter { $0.reason.contains("failed: boom; retry in") }.count == 2)
        let retries = events.filter { $0.to == .queued && $0.from == .running }
        #expect(retries.count == 2)
    }

    @Test func aJobThatKeepsFailingEndsFailedWithItsReason() async throws {
        let fixture = try PoolFixture(handlers: [FlakyJob(failures: 100)])
        defer { fixture.cleanUp() }
        let job = try await fixture.store.enqueue(NewJob(type: "flaky", payload: Data("{}".utf8), maxAttempts: 3))
        try await fixture.whileRunning {
            try await waitUntil("the job to fail") { try await fixture.store.job(id: job.id)?.state == .failed }
        }
        let failed = try #require(try await fixture.store.job(id: job.id))
        #expect(failed.attempts == 3)
        #expect(failed.error == "boom")
        let file = fixture.directory.url.appendingPathComponent("jobs/\(job.id)/result.json")
        #expect(try JSONValue.decode(Data(contentsOf: file))["error"] == .string("boom"))
    }

    @Test func aJobStoppedBecauseItsLockWasLostIsGivenBackWithWhyAndRunsAgain() async throws {
        let handler = LockLostOnceJob()
        let fixture = try PoolFixture(handlers: [handler])
        defer { fixture.cleanUp() }
        let job = try await fixture.store.enqueue(NewJob(type: "lock-lost-once", payload: Data("{}".utf8), maxAttempts: 1))
        try await fixture.whileRunning {
            try await waitUntil("the job to run again and succeed") { try await fixture.store.job(id: job.id)?.state == .succeeded }
        }
        #expect(handler.runs.withLock { $0 } == 2)
        #expect(try await fixture.store.job(id: job.id)?.attempts == 1, "the stopped attempt is not counted")
        let events = try await fixture.store.events(jobID: job.id)
        #expect(events.contains { $0.to == .queued && $0.reason == "given back: the lock on 'acme/web#9' was lost" }, "\(events.map(\.reason))")
    }

    @Test func aLeaseIsReportedLostWhenItIsAndNotWhenItsJobJustFinished() async throws {
        let lines = Locked<[String]>([])
        let gated = GatedJob()
        let stepped = Locked<SteppedQueue?>(nil)
        // The store's clock stands still, so no lease runs out while the test holds the heartbeats back.
        let fixture = try PoolFixture(leaseSeconds: 0.3, handlers: [gated], logLines: lines, clock: ManualWallClock()) { store in
            let queue = SteppedQueue(store)
            stepped.update { $0 = queue }
            return queue
        }
        defer { fixture.cleanUp() }
        let queue = try #require(stepped.value)
        queue.answersCompletions(false)
        let taken = try await fixture.store.enqueue(NewJob(type: "gated", payload: Data("{}".utf8), maxAttempts: 1))
        let echo = try await fixture.store.enqueue(NewJob(type: "echo", payload: Data("{}".utf8), maxAttempts: 1))
        try await fixture.whileRunning {
            // The echo job is done in the store, and its worker has not heard yet: it still holds the lease.
            try await waitUntil("the echo job to be done in the store") { try await fixture.store.job(id: echo.id)?.state == .succeeded }
            try await waitUntil("the gated job to start") { gated.started }
            try await queue.letAHeartbeatThrough()
            #expect(!lines.value.contains { $0.contains("lease lost") }, "a job that had just finished was reported: \(lines.value)")

            queue.answersCompletions(true)
            // Taken from its worker mid-run: its lease is not renewed any more, and that is worth a warning.
            _ = try await fixture.store.cancel(id: taken.id, reason: "taken away")
            try await waitUntil("the lost lease to be reported") {
                try await queue.letAHeartbeatThrough()
                return lines.value.contains { $0.contains("lease lost") && $0.contains("job=\(taken.id)") }
            }
            gated.open()
            queue.letHeartbeatsThrough()
        }
    }

    @Test func aBadPayloadFailsAtOnce() async throws {
        let fixture = try PoolFixture()
        defer { fixture.cleanUp() }
        let job = try await fixture.store.enqueue(NewJob(type: "sleep", payload: Data(#"{"seconds":-1}"#.utf8), maxAttempts: 5))
        try await fixture.whileRunning {
            try await waitUntil("the job to fail") { try await fixture.store.job(id: job.id)?.state == .failed }
        }
        #expect(try await fixture.store.job(id: job.id)?.attempts == 1)
    }

    @Test func aJobWhoseWorkerDiedIsDoneByAnotherWorkerOnceItsLeaseExpires() async throws {
        let fixture = try PoolFixture(leaseSeconds: 10)
        defer { fixture.cleanUp() }
        let job = try await fixture.store.enqueue(NewJob(type: "echo", payload: Data(#"{"x":1}"#.utf8), maxAttempts: 3))
        // A worker claims it and dies: no heartbeat, no completion.
        let dead = try #require(try await fixture.store.claim(owner: "dead-worker", limit: 1, leaseDuration: 0.3).first?.lease)
        try await fixture.whileRunning {
            try await waitUntil("another worker to finish the job") { try await fixture.store.job(id: job.id)?.state == .succeeded }
        }
        let done = try #require(try await fixture.store.job(id: job.id))
        #expect(done.attempts == 2)
        let events = try await fixture.store.events(jobID: job.id)
        let runs = events.filter { $0.to == .running }
        #expect(runs.count == 2)
        #expect(runs[0].worker == "dead-worker")
        #expect(runs[1].worker?.hasPrefix(fixture.pool.ownerPrefix) == true)
        #expect(events.filter { $0.to == .succeeded }.count == 1)
        // The dead worker's late completion is refused.
        #expect(try await fixture.store.complete(dead, result: Data("{}".utf8)) == false)
    }

    @Test("16: a worker whose lease is gone when its handler returns writes no result file")
    func aLostLeaseWritesNoResult() async throws {
        let directory = try TemporaryDirectory("gaffer-pool")
        defer { directory.remove() }
        let store = try SQLiteStore(dataDirectory: directory.url)
        try store.migrate()
        defer { try? store.close() }
        var logger = Logger(label: "pool-test")
        logger.logLevel = .critical
        let pool = WorkerPool(
            queue: store,
            registry: JobRegistry([OutlivedJob(store: store)]),
            settings: .init(
                count: 1,
                leaseDuration: 30,
                pollInterval: 0.05,
                drainTimeout: 10,
                retryPolicy: RetryPolicy(baseDelay: .milliseconds(20), maxDelay: .milliseconds(50))
            ),
            dataDirectory: directory.url,
            metrics: GafferMetrics(),
            logger: logger
        )
        let job = try await store.enqueue(NewJob(type: "outlived", payload: Data("{}".utf8), maxAttempts: 1))
        let group = ServiceGroup(configuration: .init(services: [pool], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await waitUntil("the job to run") { try await store.job(id: job.id)?.state == .running }
            _ = try await store.cancel(id: job.id, reason: "taken away")
            // Shutting down waits for the running job: the handler returns once it sees the cancel.
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let folder = directory.url.appendingPathComponent("jobs/\(job.id)").path
        #expect(!FileManager.default.fileExists(atPath: folder + "/result.json"))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty ?? true, "nothing left aside either")
        #expect(try await store.job(id: job.id)?.state == .cancelled)
    }

    @Test("26: with every thread of the concurrency pool held by jobs, leases are still renewed and none lapses")
    func leasesOutliveASaturatedPool() async throws {
        let threads = ProcessInfo.processInfo.activeProcessorCount
        // One job per thread of the pool, each holding it for 3 s; leases of 2 s, renewed every 0.67 s. (Short: while
        // it runs, every other test in the process waits for a thread too; and long enough that a busy two-core machine,
        // running moto and pip beside it, does not stall a renewal past the lease.)
        let fixture = try PoolFixture(workers: threads, leaseSeconds: 2, handlers: [ThreadHog(seconds: 3)])
        defer { fixture.cleanUp() }
        var jobs: [Job] = []
        for _ in 0..<threads {
            jobs.append(try await fixture.store.enqueue(NewJob(type: "hog", payload: Data("{}".utf8), maxAttempts: 3)))
        }
        // Watched from a thread of its own: the test's own tasks wait for the pool like everything else.
        let lapses = Mutex<[String]>([])
        let watching = Atomic<Bool>(true)
        let store = fixture.store
        Thread.detachNewThread {
            while watching.load(ordering: .relaxed) {
                let now = Date().timeIntervalSince1970
                if let expired = try? store.pool.read({ db in
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM jobs WHERE state = 'running' AND lease_expires_at < ?", arguments: [now])
                }), expired > 0 {
                    lapses.withLock { $0.append("\(expired) leases lapsed at \(now)") }
                }
                usleep(100_000)
            }
        }
        try await fixture.whileRunning {
            try await waitUntil(timeout: .seconds(60), "every job to finish") {
                try await fixture.store.jobs(state: .succeeded, limit: 100).count == jobs.count
            }
        }
        watching.store(false, ordering: .relaxed)
        #expect(lapses.withLock { $0 }.isEmpty, "\(lapses.withLock { $0 }.prefix(5))")
        for job in jobs {
            #expect(try await fixture.store.events(jobID: job.id).filter { $0.to == .running }.count == 1, "job \(job.id) ran once")
        }
    }

    @Test func heartbeatsKeepALongJobFromBeingTakenOver() async throws {
        // Leases short enough to run out several times over, long enough that
        // a renewal delayed by other tests running at once does not miss one
        // (the suite runs git servers, moto, shells and builds beside this on 2 cores).
        // A renewal is a store write, and the suite's other tests keep the disk busy: 10 s leases.
        let fixture = try PoolFixture(workers: 2, leaseSeconds: 10)
        defer { fixture.cleanUp() }
        let job = try await fixture.store.enqueue(NewJob(type: "sleep", payload: Data(#"{"seconds":35}"#.utf8), maxAttempts: 3))
        try await fixture.whileRunning {
            try await waitUntil(timeout: .seconds(90), "the sleep job to succeed") { try await fixture.store.job(id: job.id)?.state == .succeeded }
        }
        // Three and a half lease lengths long, and never claimed twice.
        #expect(try await fixture.store.job(id: job.id)?.attempts == 1)
    }

    @Test func drainingLetsRunningJobsFinishAndClaimsNothingNew() async throws {
        let gated = GatedJob()
        let fixture = try PoolFixture(workers: 1, drainTimeout: 10, handlers: [gated])
        defer { fixture.cleanUp() }
        let running = try await fixture.store.enqueue(NewJob(type: "gated", payload: Data("{}".utf8), maxAttempts: 3))
        try await fixture.whileRunning {
            try await waitUntil("the job to start") { gated.started }
        } whileDraining: {
            gated.open()
        }
        // whileRunning returned after the graceful shutdown completed.
        #expect(try await fixture.store.job(id: running.id)?.state == .succeeded)
        let later = try await fixture.store.enqueue(NewJob(type: "echo", payload: Data("{}".utf8), maxAttempts: 3))
        #expect(try await fixture.store.job(id: later.id)?.state == .queued)
    }

    @Test func noMoreJobsRunAtOnceThanThereAreWorkers() async throws {
        let probe = ConcurrencyProbe()
        let fixture = try PoolFixture(workers: 3, handlers: [probe])
        defer { fixture.cleanUp() }
        for _ in 0..<20 { _ = try await fixture.store.enqueue(NewJob(type: "probe", payload: Data("{}".utf8), maxAttempts: 1)) }
        try await fixture.whileRunning {
            try await waitUntil("every probe job to succeed") { try await fixture.store.countsByState()[.succeeded] == 20 }
        }
        #expect(probe.counts.withLock { $0.most } == 3)
    }

    @Test func aBusyPoolLeavesWaitingJobsQueuedForOtherWorkers() async throws {
        let gated = GatedJob()
        let fixture = try PoolFixture(workers: 1, drainTimeout: 10, handlers: [gated])
        defer { fixture.cleanUp() }
        let first = try await fixture.store.enqueue(NewJob(type: "gated", payload: Data("{}".utf8), maxAttempts: 3))
        let second = try await fixture.store.enqueue(NewJob(type: "echo", payload: Data("{}".utf8), maxAttempts: 3))
        try await fixture.whileRunning {
            try await waitUntil("the first job to start") { gated.started }
            // Its only worker is busy, so the pool must not hold the second
            // job: another process's idle worker may take it.
            #expect(try await fixture.store.job(id: second.id)?.state == .queued)
            gated.open()
            try await waitUntil("both jobs to finish") { try await fixture.store.job(id: second.id)?.state == .succeeded }
        }
        #expect(try await fixture.store.job(id: first.id)?.state == .succeeded)
    }

    @Test func jobsStillRunningAtTheDrainTimeoutAreGivenBack() async throws {
        let fixture = try PoolFixture(workers: 1, drainTimeout: 0.2)
        defer { fixture.cleanUp() }
        // Five minutes of work: had shutting down waited for it, the job would have succeeded, not been given back.
        // (No bound on the time taken: a loaded machine makes any such bound fail.)
        let job = try await fixture.store.enqueue(NewJob(type: "sleep", payload: Data(#"{"seconds":300}"#.utf8), maxAttempts: 3))
        try await fixture.whileRunning {
            try await waitUntil("the job to start") { try await fixture.store.job(id: job.id)?.state == .running }
        }
        let released = try #require(try await fixture.store.job(id: job.id))
        #expect(released.state == .queued)
        #expect(released.attempts == 0)
        #expect(try await fixture.store.events(jobID: job.id).last?.reason.contains("shut down") == true)
    }
}
