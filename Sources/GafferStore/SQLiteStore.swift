import Foundation
import GafferCore
import GRDB

/// How hard SQLite works to keep a commit across a power cut.
public enum SQLiteSynchronous: String, Sendable, CaseIterable {
    /// In WAL mode a commit survives a crash of Gaffer; the last commits may
    /// be lost if the machine loses power.
    case normal
    /// Every commit is flushed to disk before it is acknowledged.
    case full
}

/// Gaffer's embedded store: one SQLite database in WAL mode in the data
/// directory. Reads run concurrently; writes go through one group-commit
/// writer.
public final class SQLiteStore: Sendable {
    public static let fileName = "gaffer.sqlite"

    let pool: DatabasePool
    let writer: GroupCommitWriter
    let clock: any WallClock
    public let wakeSignal = WakeSignal()
    public let path: String

    /// Opens (creating if needed) the database at `path`. Migrations are not
    /// applied here: call `migrate()`.
    public init(path: String, synchronous: SQLiteSynchronous = .normal, clock: any WallClock = SystemWallClock()) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue.uppercased())")
        }
        self.pool = try DatabasePool(path: path, configuration: configuration)
        self.writer = GroupCommitWriter(writer: pool)
        self.clock = clock
        self.path = path
    }

    /// Opens the store in a data directory.
    public convenience init(dataDirectory: URL, synchronous: SQLiteSynchronous = .normal, clock: any WallClock = SystemWallClock()) throws {
        try self.init(path: dataDirectory.appendingPathComponent(Self.fileName).path, synchronous: synchronous, clock: clock)
    }

    /// Applies the migrations not yet applied; returns their names.
    @discardableResult
    public func migrate() throws -> [String] {
        let migrator = Schema.migrator
        let pending = try pool.read { db in
            try Set(migrator.appliedIdentifiers(db))
        }
        try migrator.migrate(pool)
        return migrator.migrations.filter { !pending.contains($0) }
    }

    /// True when the database answers a query.
    public func ping() async -> Bool {
        (try? await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }

    public func close() throws {
        try pool.close()
    }
}

extension Date {
    var storeSeconds: Double { timeIntervalSince1970 }
    init(storeSeconds: Double) { self.init(timeIntervalSince1970: storeSeconds) }
}
