import Foundation

/// A job's identity in the queue.
public typealias JobID = Int64

/// Where a job is in its life: `queued` then `running`, then one of the
/// final states. A failed attempt that will be retried goes back to `queued`.
public enum JobState: String, Sendable, Codable, CaseIterable {
    case queued
    case running
    case succeeded
    case failed
    case cancelled

    public var isFinal: Bool {
        switch self {
        case .succeeded, .failed, .cancelled: true
        case .queued, .running: false
        }
    }

    /// The spelling of the jobs API (`QUEUED`, `RUNNING`, ...).
    public var apiName: String { rawValue.uppercased() }

    /// Reads either spelling, `queued` or `QUEUED`.
    public init?(apiName: String) {
        self.init(rawValue: apiName.lowercased())
    }
}

/// A job to be added to the queue.
public struct NewJob: Sendable, Equatable {
    public var type: String
    /// JSON bytes; the job type decides their shape.
    public var payload: Data
    public var maxAttempts: Int
    public var runAfter: Date?
    /// The webhook delivery this job processes, when it came from one.
    public var deliveryID: String?

    public init(type: String, payload: Data, maxAttempts: Int, runAfter: Date? = nil, deliveryID: String? = nil) {
        self.type = type
        self.payload = payload
        self.maxAttempts = maxAttempts
        self.runAfter = runAfter
        self.deliveryID = deliveryID
    }
}

/// A job as the queue holds it.
public struct Job: Sendable, Equatable {
    public var id: JobID
    public var type: String
    public var payload: Data
    public var state: JobState
    /// How many times a worker has claimed it.
    public var attempts: Int
    public var maxAttempts: Int
    public var runAfter: Date
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var updatedAt: Date
    public var result: Data?
    public var error: String?
    public var deliveryID: String?

    /// The `runAfter` of a job the emergency stop parked: never, until a resume sets it to the time of the resume.
    public static let parkedRunAfter = Date(timeIntervalSince1970: 32_503_680_000)

    /// Stopped by the emergency stop, and waiting for the resume.
    public var isParked: Bool { state == .queued && runAfter >= Self.parkedRunAfter }

    public init(
        id: JobID,
        type: String,
        payload: Data,
        state: JobState,
        attempts: Int,
        maxAttempts: Int,
        runAfter: Date,
        leaseOwner: String?,
        leaseExpiresAt: Date?,
        createdAt: Date,
        startedAt: Date?,
        finishedAt: Date?,
        updatedAt: Date,
        result: Data?,
        error: String?,
        deliveryID: String?
    ) {
        self.id = id
        self.type = type
        self.payload = payload
        self.state = state
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.runAfter = runAfter
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.updatedAt = updatedAt
        self.result = result
        self.error = error
        self.deliveryID = deliveryID
    }

    /// The proof that a worker holds this job: completing or failing it
    /// needs the same owner and attempt, so a worker whose lease ran out and
    /// was taken over cannot overwrite the new holder's outcome.
    public var lease: JobLease? {
        guard state == .running, let leaseOwner else { return nil }
        return JobLease(jobID: id, owner: leaseOwner, attempt: attempts)
    }
}

/// A worker's hold on one running job.
public struct JobLease: Sendable, Hashable {
    public var jobID: JobID
    public var owner: String
    public var attempt: Int

    public init(jobID: JobID, owner: String, attempt: Int) {
        self.jobID = jobID
        self.owner = owner
        self.attempt = attempt
    }
}

/// One recorded change of a job's state.
public struct JobEvent: Sendable, Equatable {
    public var jobID: JobID
    public var at: Date
    public var from: JobState?
    public var to: JobState
    public var reason: String
    public var worker: String?

    public init(jobID: JobID, at: Date, from: JobState?, to: JobState, reason: String, worker: String?) {
        self.jobID = jobID
        self.at = at
        self.from = from
        self.to = to
        self.reason = reason
        self.worker = worker
    }
}
