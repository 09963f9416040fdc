import Foundation
import GafferCore
import Logging
import NIOSSL
import PostgresNIO

/// Gaffer's shared store on a PostgreSQL server, for several `gaffer serve` and `gaffer worker`
/// processes at once: the same protocols as `SQLiteStore`, with claims that skip rows another
/// process holds (`FOR UPDATE SKIP LOCKED`) and idle workers woken by `LISTEN/NOTIFY`.
///
/// Times are kept as seconds since 1970 from the store's clock, as in SQLite, so both back ends
/// answer the same questions the same way.
public final class PostgresStore: Sendable {
    /// The channel enqueues notify; its payload is how many jobs became runnable.
    static let jobsChannel = "gaffer_jobs"

    let client: PostgresClient
    let clock: any WallClock
    let logger: Logger
    public let address: PostgresAddress
    public let wakeSignal = WakeSignal()
    /// Takes secrets out of what people wrote and AWS said before it is kept.
    public let redactor: Redactor
    private let running: Task<Void, Never>
    private let listening: Task<Void, Never>

    /// Connects lazily: nothing is sent until the first query. Call `migrate()` before use.
    /// - Parameter poolSize: the most connections this process opens, besides the one that listens.
    public init(
        address: PostgresAddress,
        poolSize: Int = 10,
        connectTimeout: Duration = .seconds(10),
        clock: any WallClock = SystemWallClock(),
        redactor: Redactor = .standard,
        logger: Logger = Logger(label: "gaffer.postgres")
    ) throws {
        var configuration = PostgresClient.Configuration(
            host: address.host,
            port: address.port,
            username: address.user,
            password: address.password?.revealed,
            database: address.database,
            tls: try Self.tls(address)
        )
        configuration.options.maximumConnections = max(poolSize, 1) + 1
        configuration.options.connectTimeout = connectTimeout
        // The pool reports every failed connection attempt at info, also those a shutdown cancels; an outage
        // shows in /health and in the errors of the queries that could not run.
        var background = logger
        background.logLevel = max(logger.logLevel, .warning)
        let client = PostgresClient(configuration: configuration, backgroundLogger: background)
        self.client = client
        self.address = address
        self.clock = clock
        self.redactor = redactor
        self.logger = logger
        // Detached: a task started inside a service group would inherit its graceful shutdown,
        // and the pool would close while the workers are still draining.
        running = Task.detached { await client.run() }
        let wake = wakeSignal
        listening = Task.detached { await Self.listen(client, wake: wake, logger: logger) }
    }

    static func tls(_ address: PostgresAddress) throws -> PostgresClient.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let roots = address.rootCertificates { configuration.trustRoots = .file(roots) }
        switch address.tls {
        case .disable: return .disable
        case .prefer:
            configuration.certificateVerification = .none
            return .prefer(configuration)
        case .require:
            configuration.certificateVerification = .none
            return .require(configuration)
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
            return .require(configuration)
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
            return .require(configuration)
        }
    }

    /// Wakes this process's idle workers when any process queues jobs. A dropped connection (the
    /// server restarted) is opened again; the wake on reconnecting covers what was queued meanwhile.
    private static func listen(_ client: PostgresClient, wake: WakeSignal, logger: Logger) async {
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: jobsChannel) { notifications in
                        delay = .milliseconds(100)
                        wake.signal()
                        for try await notification in notifications {
                            wake.signal(waking: Int(notification.payload) ?? .max)
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("listening for queued jobs failed; trying again", metadata: ["error": "\(PostgresStoreError(error))"])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    /// Applies the migrations not yet applied; returns their names. Safe when several processes
    /// start at once: the first holds an advisory lock while it migrates, the others wait and find nothing to do.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await transaction { connection in try await PostgresSchema.migrate(connection, logger: self.logger, at: self.clock.now()) }
    }

    /// True when the server answers a query within `timeout`.
    public func ping(timeout: Duration = .seconds(2)) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await self.rows("SELECT 1").first?.decode(Int.self, column: 0)) == 1 }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let answer = await group.next() ?? false
            group.cancelAll()
            return answer
        }
    }

    public func close() {
        listening.cancel()
        running.cancel()
    }

    deinit {
        listening.cancel()
        running.cancel()
    }

    // MARK: Running queries

    /// Runs one statement on a pooled connection and reads every row it returns.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        do {
            return try await client.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
        } catch {
            throw PostgresStoreError(error)
        }
    }

    /// Runs `body` in one transaction on one connection: committed when it returns, rolled back when it throws.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return value
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch let error as PostgresStoreError {
            throw error
        } catch {
            throw PostgresStoreError(error)
        }
    }
}

extension PostgresConnection {
    /// Runs one statement in an open transaction and reads every row it returns.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRandomAccessRow] {
        do {
            return try await self.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
        } catch {
            throw PostgresStoreError(error)
        }
    }
}

extension PostgresRandomAccessRow {
    func decode<T: PostgresDecodable>(_ type: T.Type = T.self, column: Int) throws -> T {
        try self[column].decode(T.self)
    }
}

/// A PostgreSQL failure, with the server's own message (PostgresNIO hides it, lest it reach an end user;
/// an operator needs it) and never the password.
public struct PostgresStoreError: Error, CustomStringConvertible {
    public let description: String
    /// The SQLSTATE code, when the server sent one (`40001` a serialization failure, `23505` a duplicate key).
    public let sqlState: String?

    init(_ error: any Error) {
        if let error = error as? PostgresStoreError {
            self = error
            return
        }
        guard let error = error as? PSQLError else {
            description = "\(error)"
            sqlState = nil
            return
        }
        sqlState = error.serverInfo?[.sqlState]
        if let message = error.serverInfo?[.message] {
            description = "PostgreSQL: \(message)" + (sqlState.map { " (SQLSTATE \($0))" } ?? "")
        } else {
            description = "PostgreSQL: \(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
        }
    }
}
