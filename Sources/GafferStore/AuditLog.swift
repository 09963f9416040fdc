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
