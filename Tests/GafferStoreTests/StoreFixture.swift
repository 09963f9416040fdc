import Foundation
import GafferCore
import GafferTestSupport

@testable import GafferStore

/// The back ends the shared store tests run against, so SQLite and PostgreSQL cannot drift apart.
enum Backend: String, CaseIterable, Sendable {
    case sqlite
    case postgres
}

/// A store on either back end, migrated, on a clock the test moves by hand: SQLite in a temporary
/// directory, or a new database on the suite's PostgreSQL server (`@Suite(.postgres)`).
struct StoreFixture {
    let backend: Backend
    let clock = ManualWallClock()
    let store: any GafferDatabase
    /// The PostgreSQL database's URL; nil on SQLite.
    let url: String?
    private let directory: TemporaryDirectory?

    init(_ backend: Backend) async throws {
        self.backend = backend
        switch backend {
        case .sqlite:
            let directory = try TemporaryDirectory("gaffer-store")
            let store = try SQLiteStore(dataDirectory: directory.url, clock: clock)
            try store.migrate()
            (self.store, self.directory, self.url) = (store, directory, nil)
        case .postgres:
            let url = try await PostgresTrait.freshDatabase()
            let store = try PostgresStore(address: try PostgresAddress(url: url), poolSize: 8, requestTimeout: .seconds(120), clock: clock)
            try await store.migrate()
            (self.store, self.directory, self.url) = (store, nil, url)
        }
    }

    /// A second store on the same database, as another process would open it.
    func openAnother() throws -> any GafferDatabase {
        switch store {
        case let store as SQLiteStore: try SQLiteStore(path: store.path, clock: clock)
        default: try PostgresStore(address: try PostgresAddress(url: url ?? ""), poolSize: 8, requestTimeout: .seconds(120), clock: clock)
        }
    }

    /// Runs SQL on the store's database behind its back, the dialect chosen by the back end.
    func execute(sqlite: String, postgres: String) async throws {
        switch store {
        case let store as SQLiteStore: try await store.pool.write { db in try db.execute(sql: sqlite) }
        default:
            let server = try PostgresTrait.currentServer()
            _ = try await server.psql(postgres, database: String(url?.split(separator: "/").last?.split(separator: "?").first ?? ""))
        }
    }

    func delivery(_ id: String, event: String = "issues", action: String? = "opened") -> Delivery {
        Delivery(id: id, event: event, action: action, receivedAt: clock.now(), body: Data(#"{"action":"opened"}"#.utf8))
    }

    func newJob(_ type: String = "echo", maxAttempts: Int = 3) -> NewJob {
        NewJob(type: type, payload: Data(#"{"n":1}"#.utf8), maxAttempts: maxAttempts)
    }

    func cleanUp() {
        store.shutdown()
        directory?.remove()
    }
}
