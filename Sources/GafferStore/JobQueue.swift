import Foundation
import GafferCore

/// A durable queue of jobs with leases.
///
/// A worker claims jobs with a lease it keeps alive with heartbeats. A
/// lease that runs out makes the job claimable again, so a worker that dies
/// loses nothing; the `JobLease` a worker holds is checked on every change,
/// so a worker that lost its lease cannot overwrite what the next one did.
public protocol JobQueue: Sendable {
    func enqueue(_ job: NewJob) async throws -> Job
    /// Claims up to `limit` runnable jobs: queued ones whose time has come,
    /// and running ones whose lease has expired. A job whose lease expired
    /// with no attempts left is failed instead.
    func claim(owner: String, limit: Int, leaseDuration: TimeInterval) async throws -> [Job]
    /// Extends every lease `owner` holds, also of jobs it claimed and has not started yet; returns them.
    func heartbeat(owner: String, leaseDuration: TimeInterval) async throws -> [JobLease]
    /// Records success. False when the lease was lost (the result is dropped).
    func complete(_ lease: JobLease, result: Data) async throws -> Bool
    /// Records a failed attempt: queued again after `retryAfter` while
    /// attempts remain, otherwise failed. `retryAfter` nil fails it now.
    /// Returns the job's new state, or nil when the lease was lost.
    func fail(_ lease: JobLease, error: String, retryAfter: TimeInterval?) async throws -> JobState?
    /// Gives jobs back without counting the attempt (a worker shutting down).
    func release(_ leases: [JobLease], reason: String) async throws
    /// Gives a job back without counting the attempt, not to be claimed until the emergency stop
    /// is lifted (`PauseStore.setPause(nil)` makes parked jobs runnable again).
    func park(_ lease: JobLease, reason: String) async throws
    /// Cancels a job that has not finished. Returns the job as it is now,
    /// or nil when there is no such job.
    func cancel(id: JobID, reason: String) async throws -> Job?

    func job(id: JobID) async throws -> Job?
    func jobs(state: JobState?, limit: Int) async throws -> [Job]
    func events(jobID: JobID) async throws -> [JobEvent]
    func countsByState() async throws -> [JobState: Int]
    /// Queued jobs whose time has come.
    func runnableCount() async throws -> Int
    /// Wakes in-process workers when jobs are queued, so they need not poll.
    var wakeSignal: WakeSignal { get }
}
