import Foundation
import GRDB
import GafferCore

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
    private let checkpointer: WALCheckpointer
    let clock: any WallClock
    public let wakeSignal = WakeSignal()
    public let path: String
    /// Takes secrets out of what people wrote (a decision's reason) and AWS said (a learning) before it is kept.
    public let redactor: Redactor

    /// Opens (creating if needed) the database at `path`. Migrations are not
    /// applied here: call `migrate()`.
    public init(
        path: String,
        synchronous: SQLiteSynchronous = .normal,
        clock: any WallClock = SystemWallClock(),
        redactor: Redactor = .standard
    ) throws {
        var configuration = Configuration()
        configuration.busyMode = Self.busyMode
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue.uppercased())")
            // WALCheckpointer does this, mostly off the writer's thread.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
        }
        self.pool = try DatabasePool(path: path, configuration: configuration)
        self.checkpointer = try WALCheckpointer(path: path)
        self.writer = GroupCommitWriter(writer: pool, checkpointer: checkpointer)
        self.clock = clock
        self.path = path
        self.redactor = redactor
        checkpointer.start()
    }

    /// Opens the store in a data directory.
    public convenience init(
        dataDirectory: URL,
        synchronous: SQLiteSynchronous = .normal,
        clock: any WallClock = SystemWallClock(),
        redactor: Redactor = .standard
    ) throws {
        try self.init(path: dataDirectory.appendingPathComponent(Self.fileName).path, synchronous: synchronous, clock: clock, redactor: redactor)
    }

    /// Waits for a lock held by another connection by retrying every 100 µs,
    /// 100,000 times (10 s and more). SQLite's own timeout backs off to sleeps of 25–100 ms,
    /// far longer than any of Gaffer's transactions, and every writer queued
    /// behind the lock would wait that long too.
    static let busyMode = Database.BusyMode.callback { tries in
        usleep(100)
        return tries < 100_000
    }

    /// Applies the migrations not yet applied; returns their names.
    @discardableResult
    public func migrate() throws -> [String] {
        let migrator = Schema.migrator
        let applied = try pool.read { db in
            try Set(migrator.appliedIdentifiers(db))
        }
        try migrator.migrate(pool)
        return migrator.migrations.filter { !applied.contains($0) }
    }

    /// True when the database answers a query.
    public func ping() async -> Bool {
        (try? await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }

    deinit {
        checkpointer.stop()
    }

    public func close() throws {
        checkpointer.stop()
        try pool.close()
    }
}

extension Date {
    var storeSeconds: Double { timeIntervalSince1970 }
    init(storeSeconds: Double) { self.init(timeIntervalSince1970: storeSeconds) }
}
