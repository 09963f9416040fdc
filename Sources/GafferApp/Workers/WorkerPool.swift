import Foundation
import GafferCore
import GafferStore
import Logging
import ServiceLifecycle
import Synchronization

/// Runs queued jobs, up to `count` at once.
///
/// One loop claims as many jobs as there are free workers in one store
/// write, each with a lease, and starts each in a task of its own; one task
/// renews the leases of the jobs in hand. A worker is free again as soon as
/// its job's handler returns, while the outcome is still being recorded, so
/// short jobs do not leave workers waiting on the store.
///
/// On graceful shutdown (SIGTERM, SIGINT) the pool stops claiming, lets
/// running jobs finish for up to `drainTimeout`, then cancels what is left
/// and gives those jobs back to the queue without counting the attempt.
/// A job the emergency stop interrupted (`Paused`) is given back the same
/// way and parked until the resume. Jobs are still claimed while paused, so
/// that comments are answered (an `/apply` with who paused Gaffer and why).
public final class WorkerPool: Service, Sendable {
    public struct Settings: Sendable {
        public var count: Int
        public var leaseDuration: TimeInterval
        public var pollInterval: TimeInterval
        public var drainTimeout: TimeInterval
        public var retryPolicy: RetryPolicy
        /// Whether each job leaves `<data>/jobs/<id>/result.json`. Always on
        /// in Gaffer; the queue benchmark turns it off to tell the queue's
        /// own cost from the disk's.
        public var writesResultFiles: Bool

        public init(
            count: Int,
            leaseDuration: TimeInterval,
            pollInterval: TimeInterval,
            drainTimeout: TimeInterval,
            retryPolicy: RetryPolicy,
            writesResultFiles: Bool = true
        ) {
            self.count = count
            self.leaseDuration = leaseDuration
            self.pollInterval = pollInterval
            self.drainTimeout = drainTimeout
            self.retryPolicy = retryPolicy
            self.writesResultFiles = writesResultFiles
        }

        public init(_ configuration: GafferConfiguration) {
            self.init(
                count: configuration.workers,
                leaseDuration: configuration.jobLeaseSeconds,
                pollInterval: configuration.workerPollSeconds,
                drainTimeout: configuration.drainTimeoutSeconds,
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
        /// The jobs in hand, running or having their outcome recorded:
        /// their leases are renewed.
        var leases: Set<JobLease> = []
        /// Handlers running now.
        var executing = 0
        /// Jobs started whose tasks have not begun yet.
        var starting = 0
        /// When the claiming loop last went round: when it stops, no job is
        /// started any more, and the workers are not alive.
        var lastSeen: ContinuousClock.Instant?
    }

    private let queue: any JobQueue
    private let registry: JobRegistry
    private let settings: Settings
    /// `<data>/jobs`, as a path: building a URL per job costs more than the job.
    private let jobsDirectory: String
    /// Lease renewals run here, never waiting for a thread that jobs hold.
    private let leaseExecutor = DedicatedThreadExecutor(name: "gaffer-leases")
    private let metrics: GafferMetrics
    private let emergencyStop: EmergencyStop?
    private let logger: Logger
    private let state = Mutex(State())
    private let drainSignal = WakeSignal()
    private let slotFreed = WakeSignal()
    /// Names this process in leases, so a job's history says who ran it.
    public let ownerPrefix: String

    public init(
        queue: any JobQueue,
        registry: JobRegistry,
        settings: Settings,
        dataDirectory: URL,
        metrics: GafferMetrics,
        emergencyStop: EmergencyStop? = nil,
        logger: Logger
    ) {
        self.emergencyStop = emergencyStop
        self.queue = queue
        self.registry = registry
        self.settings = settings
        self.jobsDirectory = dataDirectory.appendingPathComponent("jobs").path
        self.metrics = metrics
        self.logger = logger
        self.ownerPrefix = "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8))"
    }

    public func status() -> Status {
        let now = ContinuousClock.now
        let staleAfter = Duration.seconds(max(settings.pollInterval * 4, 5))
        return state.withLock { state in
            let alive = state.lastSeen.map { now - $0 < staleAfter } ?? false
            return Status(configured: settings.count, alive: alive ? settings.count : 0, busy: state.executing, draining: state.draining)
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
        // A pause kept from before the restart holds from the first claim.
        if let stop = emergencyStop {
            try? await stop.refresh()
            metrics.setPaused(stop.current != nil)
        }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.claimAndRun() }
                group.addTask { await self.drainDeadline() }
                group.addTask(executorPreference: self.leaseExecutor) { await self.renewLeases() }
                if let stop = self.emergencyStop { group.addTask { await self.follow(stop) } }
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

    /// Renews every lease this pool holds, by owner: also those of jobs claimed and not started yet,
    /// which a pool full of busy jobs may leave waiting for a thread.
    private func renewLeases() async {
        let interval = Duration.seconds(settings.leaseDuration / 3)
        // A job that finished while the heartbeat ran is not renewed by it, but is let go of moments later:
        // only a lease in hand that two heartbeats in a row did not renew is lost.
        var notRenewed: Set<JobLease> = []
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled else { return }
            do {
                let held = Set(try await queue.heartbeat(owner: ownerPrefix, leaseDuration: settings.leaseDuration))
                let missing = state.withLock { $0.leases }.subtracting(held)
                for lease in missing.intersection(notRenewed) {
                    logger.warning("lease lost; another worker may run this job", metadata: ["job": "\(lease.jobID)"])
                }
                notRenewed = missing
            } catch {
                logger.error("could not renew leases", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Reads the pause from the store every second: `gaffer pause` in another process stops this one too.
    private func follow(_ stop: EmergencyStop) async {
        while !Task.isCancelled {
            do {
                try await stop.refresh()
                metrics.setPaused(stop.current != nil)
            } catch {
                logger.error("could not read the emergency stop", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    private func claimAndRun() async {
        await withDiscardingTaskGroup { group in
            var failures = 0
            while !Task.isCancelled {
                state.withLock { $0.lastSeen = .now }
                if isDraining { break }
                let slotGeneration = slotFreed.generation
                // Claim only for free workers: a job claimed ahead would wait
                // behind a long one while another process's workers sit idle.
                // And not before the jobs of the last claim have begun: short
                // jobs finish in the meantime, and one claim then serves all the
                // workers they free, not only the first.
                let free = state.withLock { $0.starting == 0 ? settings.count - $0.executing : 0 }
                guard free > 0 else {
                    await slotFreed.wait(since: slotGeneration, timeout: .seconds(settings.pollInterval))
                    continue
                }
                let generation = queue.wakeSignal.generation
                let claimed: [Job]
                do {
                    claimed = try await queue.claim(owner: ownerPrefix, limit: free, leaseDuration: settings.leaseDuration)
                    failures = 0
                } catch {
                    failures += 1
                    logger.error("could not claim jobs", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(min(Double(failures), 10)))
                    continue
                }
                if claimed.isEmpty {
                    await queue.wakeSignal.wait(since: generation, timeout: .seconds(settings.pollInterval))
                }
                for job in claimed {
                    start(job, in: &group)
                }
            }
        }
    }

    private func start(_ job: Job, in group: inout DiscardingTaskGroup) {
        guard let lease = job.lease else { return }
        metrics.setWorkersBusy(
            state.withLock { state in
                state.leases.insert(lease)
                state.executing += 1
                state.starting += 1
                return state.executing
            }
        )
        group.addTask {
            if self.state.withLock({ state in
                state.starting -= 1
                return state.starting == 0
            }) {
                self.slotFreed.signal()
            }
            await self.execute(job, lease: lease)
            self.state.withLock { _ = $0.leases.remove(lease) }
        }
    }

    /// Frees the job's worker for the next job; called when its handler returns.
    private func handlerReturned() {
        metrics.setWorkersBusy(
            state.withLock { state in
                state.executing -= 1
                return state.executing
            }
        )
        slotFreed.signal()
    }

    private func execute(_ job: Job, lease: JobLease) async {
        var logger = self.logger
        logger[metadataKey: "job"] = "\(job.id)"
        logger[metadataKey: "job_type"] = "\(job.type)"
        if let delivery = job.deliveryID { logger[metadataKey: "delivery"] = "\(delivery)" }
        let started = ContinuousClock.now
        let directory = "\(jobsDirectory)/\(job.id)"
        let run: Result<JobResult, any Error>
        do {
            guard let handler = registry[job.type] else {
                throw PermanentJobFailure("no handler for job type '\(job.type)' in this process")
            }
            run = .success(try await handler.run(JobContext(job: job, logger: logger, directory: URL(fileURLWithPath: directory, isDirectory: true))))
        } catch {
            run = .failure(error)
        }
        handlerReturned()

        var outcome: JobState?
        switch run {
        case .success(let result):
            // Written only once the store accepts the completion: a worker that lost its
            // lease must not overwrite the winner's file. The store holds the result
            // either way, so a crash between the two loses only the copy on disk.
            switch await persist("the job's success", logger: logger, { try await self.queue.complete(lease, result: result.json) }) {
            case true?:
                outcome = .succeeded
                writeResult(result.json, to: directory, logger: logger)
                logger.debug("job succeeded", metadata: ["attempt": "\(job.attempts)"])
            case false?:
                logger.warning("job finished after its lease was lost; the result was not recorded")
            case nil:
                break
            }
        case .failure(let error):
            outcome = await recordFailure(error, job: job, lease: lease, directory: directory, logger: logger)
        }
        if let outcome {
            metrics.jobFinished(type: job.type, state: outcome, duration: ContinuousClock.now - started)
        }
    }

    private func recordFailure(_ error: any Error, job: Job, lease: JobLease, directory: String, logger: Logger) async -> JobState? {
        if Task.isCancelled {
            // Outside a shutdown, the job was stopped because what it held is lost (a task lock), and its error says so.
            let why = isDraining ? "the worker shut down before the job finished" : "\(error)"
            do {
                try await queue.release([lease], reason: "given back: \(why)")
                logger.info("job given back to the queue", metadata: ["why": "\(why)"])
            } catch {
                logger.error("could not give the job back; its lease will expire and it will run again", metadata: ["error": "\(error)"])
            }
            return nil
        }
        if let paused = error as? Paused {
            if await persist("the parking of the job", logger: logger, { try await self.queue.park(lease, reason: "given back: \(paused)") }) != nil {
                logger.notice("job stopped by the emergency stop; it waits for the resume")
            }
            return nil
        }
        let permanent = error is PermanentJobFailure
        let message = "\(error)"
        let retryAfter = permanent ? nil : settings.retryPolicy.delay(afterAttempt: job.attempts) / .seconds(1)
        let state = await persist("the job's failure", logger: logger) { try await self.queue.fail(lease, error: message, retryAfter: retryAfter) }
        if state == .failed {
            // The store took the failure under this lease, so the file is this worker's to write.
            if let bytes = try? JSONValue.object(["error": .string(message)]).encoded() {
                writeResult(bytes, to: directory, logger: logger)
            }
            logger.error("job failed", metadata: ["attempt": "\(job.attempts)", "error": "\(message)"])
        } else if state == .queued {
            logger.warning("job attempt failed; will retry", metadata: ["attempt": "\(job.attempts)", "error": "\(message)"])
        }
        return state ?? nil
    }

    /// Records a job's outcome, trying again while the store cannot take it (a database restarting):
    /// the heartbeat keeps renewing the lease meanwhile, so giving up would leave the job running
    /// for ever. Nil when the workers stop first; the lease then expires and the job runs again.
    private func persist<T: Sendable>(_ what: String, logger: Logger, _ write: @Sendable () async throws -> T) async -> T? {
        var delay = Duration.milliseconds(100)
        while true {
            do {
                return try await write()
            } catch {
                guard !Task.isCancelled else {
                    logger.error("could not record \(what) before the workers stopped; it will run again", metadata: ["error": "\(error)"])
                    return nil
                }
                logger.warning("could not record \(what); trying again", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    /// Writes `result.json` for a job whose outcome the store has taken under this worker's lease.
    private func writeResult(_ bytes: Data, to directory: String, logger: Logger) {
        guard settings.writesResultFiles else { return }
        do {
            // mkdir(2) directly: FileManager's createDirectory costs several
            // times more, and this runs once per job. Only the first job finds
            // no `jobs/` folder and takes the slow way.
            if mkdir(directory, 0o755) != 0 && errno != EEXIST {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            try bytes.write(to: URL(fileURLWithPath: "\(directory)/result.json", isDirectory: false))
        } catch {
            logger.error("could not write the job's result file; the store holds the result", metadata: ["error": "\(error)"])
        }
    }
}
