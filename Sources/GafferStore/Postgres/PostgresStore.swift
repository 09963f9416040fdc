import Foundation
import GafferCore
import Logging
import NIOSSL
import PostgresNIO
import Synchronization

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
    /// Group commit: the ingests, enqueues and completions of this process that arrive together share a statement.
    let recordings = StatementBatcher<(delivery: Delivery, job: NewJob?, at: Date), DeliveryRecordOutcome>()
    let enqueues = StatementBatcher<(job: NewJob, at: Date), JobID>()
    let completions = StatementBatcher<(lease: JobLease, result: Data, at: Date), Bool>()
    /// When this process last looked for jobs whose lease ran out.
    let expiredLookedFor = Mutex(Date.distantPast)
    /// Takes secrets out of what people wrote and AWS said before it is kept.
    public let redactor: Redactor
    /// How long one query or transaction may wait for a connection and its answer.
    let requestTimeout: Duration
    private let running: Task<Void, Never>
    private let listening: Task<Void, Never>

    /// Connects lazily: nothing is sent until the first query. Call `migrate()` before use.
    /// - Parameter poolSize: the most connections this process opens, besides the one that listens.
    public init(
        address: PostgresAddress,
        poolSize: Int = 10,
        connectTimeout: Duration = .seconds(10),
        requestTimeout: Duration = .seconds(30),
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
        self.requestTimeout = requestTimeout
        self.clock = clock
        self.redactor = redactor
        self.logger = logger
        // Detached: a task started inside a service group would inherit its graceful shutdown,
        // and the pool would close while the workers are still draining.
        running = Task.detached { await client.run() }
        let wake = wakeSignal
        listening = Task.detached { await Self.listen(client, wake: wake, logger: logger) }
    }

    /// libpq's sslmode as NIOSSL's settings: nil for no TLS; whether TLS is required.
    static func tlsSettings(_ address: PostgresAddress) -> (configuration: TLSConfiguration, required: Bool)? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let roots = address.rootCertificates { configuration.trustRoots = .file(roots) }
        switch address.tls {
        case .disable: return nil
        case .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        return (configuration, address.tls != .prefer)
    }

    static func tls(_ address: PostgresAddress) throws -> PostgresClient.Configuration.TLS {
        guard let (configuration, required) = tlsSettings(address) else { return .disable }
        return required ? .require(configuration) : .prefer(configuration)
    }

    /// Connects once, outside the pool: the pool retries a refused connection or a wrong password
    /// for ever, so this is how such a mistake is reported as the server said it, at start.
    public func checkConnection(timeout: Duration = .seconds(10)) async throws {
        var tls = PostgresConnection.Configuration.TLS.disable
        if let (configuration, required) = Self.tlsSettings(address) {
            let context = try NIOSSLContext(configuration: configuration)
            tls = required ? .require(context) : .prefer(context)
        }
        var configuration = PostgresConnection.Configuration(
            host: address.host,
            port: address.port,
            username: address.user,
            password: address.password?.revealed,
            database: address.database,
            tls: tls
        )
        configuration.options.connectTimeout = .seconds(timeout.components.seconds)
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try await connection.close()
        } catch {
            throw PostgresStoreError(error)
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
        try await checkConnection()
        // Long enough to wait for another process's migrations.
        return try await transaction(timeout: .seconds(120)) { connection in
            try await PostgresSchema.migrate(connection, logger: self.logger, at: self.clock.now())
        }
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
        try await onConnection { [logger] connection in
            try await connection.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
        }
    }

    /// Runs `body` in one transaction on one connection: committed when it returns, rolled back when it throws.
    func transaction<T: Sendable>(
        timeout: Duration? = nil,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await onConnection(timeout: timeout) { [logger] connection in
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
    }

    /// Runs `work` on a pooled connection within `requestTimeout`, the wait for the connection included,
    /// rather than leaving a webhook or a worker waiting for ever (a connection the server dropped
    /// without the client noticing may never answer). On time out the caller is answered at once;
    /// the work is cancelled, and a connection it holds is closed, which ends its query with an
    /// error and takes the connection out of the pool.
    func onConnection<T: Sendable>(
        timeout: Duration? = nil,
        _ work: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let limit = timeout ?? requestTimeout
        let (client, logger, location) = (self.client, self.logger, address.description)
        let answer = FirstAnswer<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let running = Task {
                    do {
                        let value = try await client.withConnection { connection in
                            answer.hold(connection)
                            defer { answer.hold(nil) }
                            return try await work(connection)
                        }
                        answer.resume(with: .success(value))
                    } catch {
                        answer.resume(with: .failure(PostgresStoreError(error)))
                    }
                }
                let timer = Task {
                    try? await Task.sleep(for: limit)
                    // Read before answering: the answer cancels this task and the work.
                    let held = answer.held
                    guard !Task.isCancelled, answer.resume(with: .failure(PostgresStoreError(timedOutAfter: limit, at: location))) else { return }
                    if let connection = held {
                        logger.warning(
                            "no answer from PostgreSQL in time; closing the connection",
                            metadata: ["seconds": "\(limit.components.seconds)"]
                        )
                        connection.close().whenComplete { _ in }
                    }
                }
                answer.start(
                    continuation,
                    stopping: {
                        running.cancel()
                        timer.cancel()
                    }
                )
            }
        } onCancel: {
            answer.resume(with: .failure(CancellationError()))
        }
    }
}

/// The one answer of `onConnection`: the work's, the timer's or the caller's cancellation, whichever comes first.
private final class FirstAnswer<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var early: Result<T, any Error>?
        var stopping: (@Sendable () -> Void)?
        var held: PostgresConnection?
    }
    private let state = Mutex(State())

    var held: PostgresConnection? { state.withLock { $0.held } }
    func hold(_ connection: PostgresConnection?) { state.withLock { $0.held = connection } }

    func start(_ continuation: CheckedContinuation<T, any Error>, stopping: @escaping @Sendable () -> Void) {
        let early = state.withLock { state -> Result<T, any Error>? in
            if state.early == nil {
                state.continuation = continuation
                state.stopping = stopping
            }
            return state.early
        }
        if let early {
            stopping()
            continuation.resume(with: early)
        }
    }

    /// True when this was the first answer.
    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        let (continuation, stopping, first) = state.withLock { state -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?, Bool) in
            guard state.early == nil else { return (nil, nil, false) }
            state.early = result
            defer { state.continuation = nil }
            return (state.continuation, state.stopping, true)
        }
        // The work is done, timed out or no longer wanted: stop the rest (the timer closes a held connection itself).
        stopping?()
        continuation?.resume(with: result)
        return first
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

    init(timedOutAfter limit: Duration, at location: String) {
        self.init(description: "PostgreSQL at \(location) did not answer within \(limit.components.seconds) s: is the server up and reachable?")
    }

    init(description: String, sqlState: String? = nil) {
        self.description = description
        self.sqlState = sqlState
    }

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
        if error.code == .sslUnsupported {
            description =
                "PostgreSQL: the server does not offer TLS, which the URL's sslmode requires; turn ssl on in the server or use sslmode=prefer"
        } else if let message = error.serverInfo?[.message] {
            description = "PostgreSQL: \(message)" + (sqlState.map { " (SQLSTATE \($0))" } ?? "")
        } else if let problem = Self.certificateProblem(error.underlying) {
            description = "PostgreSQL: \(problem)"
        } else {
            description = "PostgreSQL: \(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
        }
    }

    /// What a refused certificate means for whoever writes the URL; nil when the handshake failed otherwise.
    static func certificateProblem(_ underlying: (any Error)?) -> String? {
        if let extra = underlying as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "the server's certificate is not issued to the host in database_url, which sslmode=verify-full checks; "
                + "connect by a name the certificate lists, or use sslmode=verify-ca to check only who signed it"
        }
        if case .handshakeFailed(let failure)? = underlying as? NIOSSLError, "\(failure)".contains("CERTIFICATE_VERIFY_FAILED") {
            return "the server's certificate is not signed by an authority Gaffer trusts; "
                + "give that authority's PEM file as sslrootcert=PATH in database_url (without it, the system's roots are trusted)"
        }
        return nil
    }
}
