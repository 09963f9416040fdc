/// Locks by name held across every process that shares them: the PostgreSQL store's advisory locks,
/// so that the work for one task runs one job at a time whichever replica took it. A process that
/// dies lets go (its connection closes).
public protocol SharedLocks: Sendable {
    func exclusively<T: Sendable>(_ name: String, isolation: isolated (any Actor)?, _ body: () async throws -> T) async throws -> T
}
