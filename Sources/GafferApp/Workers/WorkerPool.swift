import Foundation
import GafferCore
import GafferStore
import Logging
import ServiceLifecycle
import Synchronization

/// Runs queued jobs: `count` workers, each claiming one job at a time with a
/// lease, and one task renewing the leases of the jobs in hand.
///
/// On graceful shutdown (SIGTERM, SIGINT) the pool stops claiming, lets
/// running jobs finish for up to `drainTimeout`, then cancels what is left
/// and gives those jobs back to the queue without counting the attempt.
public final class WorkerPool: Service, Sendable {
    public struct Settings: Sendable {
        public var count: Int
        public var leaseDuration: TimeInterval
        public var pollInterval: TimeInterval
        public var drainTimeout: TimeInterval
        public var retryPolicy: RetryPolicy

        public init(count: Int, leaseDuration: TimeInterval, pollInterval: TimeInterval, drainTimeout: TimeInterval, retryPolicy: RetryPolicy) {
            self.count = count
            self.leaseDuration = leaseDuration
            self.pollInterval = pollInterval
            self.drainTimeout = drainTimeout
            self.retryPolicy = retryPolicy
        }

        public init(_ configuration: GafferConfiguration) {
            self.init(
                count: configuration.workers, leaseDuration: configuration.jobLeaseSeconds,
                pollInterval: configuration.workerPollSeconds, drainTimeout: configuration.drainTimeoutSeconds,
                retryPolicy: configuration.retryPolicy
            )
        }
    }

    /// What `/health` reports of the workers.
    public struct Status: Sendable, Equatable {
        public var configured: Int
        public var alive: Int
        public var busy: Int
        public var draining: Bool
    }

    private struct State {
        var draining = false
        var leases: Set<JobLease> = []
        /// When each worker last went round its loop; a worker that stops
        /// going round (while not running a job) is not alive.
        var lastSeen: [Int: ContinuousClock.Instant] = [:]
        var busy: Set<Int> = []
    }

    private let queue: any JobQueue
    private let registry: JobRegistry
    private let settings: Settings
    private let jobsDirectory: URL
    private let metrics: GafferMetrics
    private let logger: Logger
    private let state = Mutex(State())
    private let drainSignal = WakeSignal()
    /// Names this process in leases, so a job's history says who ran it.
    public let ownerPrefix: String

    public init(queue: any JobQueue, registry: JobRegistry, settings: Settings, dataDirectory: URL, metrics: GafferMetrics, logger: Logger) {
        self.queue = queue
        self.registry = registry
        self.settings = settings
        self.jobsDirectory = dataDirectory.appendingPathComponent("jobs")
        self.metrics = metrics
        self.logger = logger
        self.ownerPrefix = "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8))"
    }

    public func status() -> Status {
        let now = ContinuousClock.now
        let staleAfter = Duration.seconds(max(settings.pollInterval * 4, 5))
        return state.withLock { state in
            let alive = (0..<settings.count).filter { worker in
                state.busy.contains(worker) || state.lastSeen[worker].map { now - $0 < staleAfter } ?? false
            }.count
            return Status(configured: settings.count, alive: alive, busy: state.busy.count, draining: state.draining)
        }
    }

    /// Stops claiming and lets running jobs finish (the graceful-shutdown path).
    public func beginDrain() {
        let first = state.withLock { state -> Bool in
            defer { state.draining = true }
            return !state.draining
        }
        if first {
            logger.notice("draining: no new jobs will be claimed", metadata: ["drain_timeout_s": "\(settings.drainTimeout)"])
        }
        drainSignal.signal()
        queue.wakeSignal.signal()
    }

    private var isDraining: Bool { state.withLock { $0.draining } }

    public func run() async throws {
        guard settings.count > 0 else {
            try await gracefulShutdown()
            return
        }
        logger.info("workers started", metadata: ["workers": "\(settings.count)", "owner": "\(ownerPrefix)"])
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.runWorkers() }
                group.addTask { await self.drainDeadline() }
                group.addTask { await self.renewLeases() }
                // The first to finish is either the workers (all done) or the
                // deadline (jobs still running): either way stop the rest,
                // which cancels jobs still running so they are given back.
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.beginDrain()
        }
        logger.info("workers stopped")
    }

    private func runWorkers() async {
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<settings.count {
                group.addTask { await self.workerLoop(worker) }
            }
        }
    }

    private func drainDeadline() async {
        var generation = drainSignal.generation
        while !isDraining {
            await drainSignal.wait(since: generation, timeout: .seconds(3600))
            if Task.isCancelled { return }
            generation = drainSignal.generation
        }
        try? await Task.sleep(for: .seconds(settings.drainTimeout))
        if !Task.isCancelled {
            logger.warning("drain timeout reached; giving running jobs back to the queue")
        }
    }

    private func renewLeases() async {
        let interval = Duration.seconds(settings.leaseDuration / 3)
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let leases = state.withLock { Array($0.leases) }
            guard !leases.isEmpty, !Task.isCancelled else { continue }
            do {
                let lost = try await queue.heartbeat(leases, leaseDuration: settings.leaseDuration)
                for lease in lost {
                    logger.warning("lease lost; another worker may run this job", metadata: ["job": "\(lease.jobID)"])
                }
            } catch {
                logger.error("could not renew leases", metadata: ["error": "\(error)"])
            }
        }
    }

    private func workerLoop(_ worker: Int) async {
        let owner = "\(ownerPrefix)#\(worker)"
        var failures = 0
        while !Task.isCancelled {
            state.withLock { $0.lastSeen[worker] = .now }
            if isDraining { return }
            let generation = queue.wakeSignal.generation
            let claimed: [Job]
            do {
                claimed = try await queue.claim(owner: owner, limit: 1, leaseDuration: settings.leaseDuration)
                failures = 0
            } catch {
                failures += 1
                logger.error("could not claim a job", metadata: ["worker": "\(owner)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(min(Double(failures), 10)))
                continue
            }
            guard let job = claimed.first, let lease = job.lease else {
                await queue.wakeSignal.wait(since: generation, timeout: .seconds(settings.pollInterval))
                continue
            }
            state.withLock { state in
                state.leases.insert(lease)
                state.busy.insert(worker)
                metrics.setWorkersBusy(state.busy.count)
            }
            await execute(job, lease: lease)
            state.withLock { state in
                state.leases.remove(lease)
                state.busy.remove(worker)
                metrics.setWorkersBusy(state.busy.count)
            }
        }
    }

    private func execute(_ job: Job, lease: JobLease) async {
        var logger = self.logger
        logger[metadataKey: "job"] = "\(job.id)"
        logger[metadataKey: "job_type"] = "\(job.type)"
        if let delivery = job.deliveryID { logger[metadataKey: "delivery"] = "\(delivery)" }
        let started = ContinuousClock.now
        let directory = jobsDirectory.appendingPathComponent(String(job.id))
        var outcome: JobState?
        do {
            guard let handler = registry[job.type] else {
                throw PermanentJobFailure("no handler for job type '\(job.type)' in this process")
            }
            let result = try await handler.run(JobContext(job: job, logger: logger, directory: directory))
            let bytes = try result.encoded()
            try writeResult(bytes, to: directory)
            if try await queue.complete(lease, result: bytes) {
                outcome = .succeeded
                logger.debug("job succeeded", metadata: ["attempt": "\(job.attempts)"])
            } else {
                logger.warning("job finished after its lease was lost; the result was not recorded")
            }
        } catch {
            outcome = await recordFailure(error, job: job, lease: lease, directory: directory, logger: logger)
        }
        if let outcome {
            metrics.jobFinished(type: job.type, state: outcome, duration: ContinuousClock.now - started)
        }
    }

    private func recordFailure(_ error: any Error, job: Job, lease: JobLease, directory: URL, logger: Logger) async -> JobState? {
        do {
            if Task.isCancelled {
                try await queue.release([lease], reason: "given back: the worker shut down before the job finished")
                logger.info("job given back to the queue at shutdown")
                return nil
            }
            let permanent = error is PermanentJobFailure
            let message = "\(error)"
            let retryAfter = permanent ? nil : settings.retryPolicy.delay(afterAttempt: job.attempts) / .seconds(1)
            let state = try await queue.fail(lease, error: message, retryAfter: retryAfter)
            if state == .failed {
                try? writeResult(try JSONValue.object(["error": .string(message)]).encoded(), to: directory)
                logger.error("job failed", metadata: ["attempt": "\(job.attempts)", "error": "\(message)"])
            } else if state == .queued {
                logger.warning("job attempt failed; will retry", metadata: ["attempt": "\(job.attempts)", "error": "\(message)"])
            }
            return state
        } catch {
            logger.error("could not record the job's outcome; its lease will expire and it will run again", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func writeResult(_ bytes: Data, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try bytes.write(to: directory.appendingPathComponent("result.json"))
    }
}
