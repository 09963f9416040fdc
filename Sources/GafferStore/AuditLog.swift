import Foundation
import GafferCore

/// One thing a person or the system did that someone may need to account
/// for later: who, what, to what, and the details.
public struct AuditEntry: Sendable, Equatable {
    public var at: Date
    public var actor: String
    public var action: String
    public var subject: String
    public var detail: String?

    public init(at: Date, actor: String, action: String, subject: String, detail: String? = nil) {
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.detail = detail
    }
}

/// An append-only record of actions.
public protocol AuditLog: Sendable {
    func append(_ entry: AuditEntry) async throws
    func entries(subject: String?, limit: Int) async throws -> [AuditEntry]
}

/// Job changes made on someone's behalf, each committed in one transaction with its audit entry,
/// so the trail can never miss what happened (nor record what did not).
public protocol AuditedJobQueue: JobQueue, AuditLog {
    /// Enqueues `job`; `entry` makes the audit entry from the new job's id.
    func enqueue(_ job: NewJob, audited entry: @escaping @Sendable (JobID) -> AuditEntry) async throws -> Job
    /// Cancels the job and records `entry` if it was not finished; the job as it is after, nil if there is none.
    func cancel(id: JobID, reason: String, audited entry: AuditEntry) async throws -> Job?
}
