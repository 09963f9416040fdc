import Foundation
import GafferCore

/// What recording a delivery did.
public enum DeliveryRecordOutcome: Sendable, Equatable {
    /// Stored, and its job queued.
    case queued(JobID)
    /// Stored; no job, because Gaffer does not act on this event.
    case recorded
    /// Seen before (GitHub redelivers with the same id): nothing changed.
    case duplicate
}

/// The webhook deliveries Gaffer has acknowledged.
public protocol DeliveryStore: Sendable {
    /// Stores the delivery and, when `job` is given, queues it, both in one
    /// transaction. Returns only after the commit, so a caller that then
    /// answers GitHub with a 2xx never loses what it acknowledged.
    func record(_ delivery: Delivery, job: NewJob?) async throws -> DeliveryRecordOutcome
    func delivery(id: String) async throws -> Delivery?
    func deliveryCount() async throws -> Int
}
