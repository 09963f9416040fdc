import GafferCore

/// Everything Gaffer keeps, on either back end: `SQLiteStore` on one machine, `PostgresStore` for
/// several processes. One set of tests runs against both, so they answer alike.
public protocol GafferDatabase: AuditedJobQueue, DeliveryStore, RetentionStore, PauseStore, PlanStore, ChangeStore, KnowledgeStore, ModelSpendStore,
    DashboardReading, DashboardSessionStore
{
    /// Saves many plans in one transaction (an import, a benchmark's data).
    func savePlans(_ plans: [Plan]) async throws
    /// True when the database answers a query.
    func isReachable() async -> Bool
    /// Where the data is, for logs and `/health`; never a password.
    var location: String { get }
    /// Closes the connections or files; the store answers nothing after.
    func shutdown()
}

extension SQLiteStore: GafferDatabase {
    public func isReachable() async -> Bool { await ping() }
    public var location: String { "sqlite:\(path)" }
    public func shutdown() { try? close() }
}

extension PostgresStore: GafferDatabase {
    public func isReachable() async -> Bool { await ping() }
    public var location: String { address.description }
    public func shutdown() { close() }
}
