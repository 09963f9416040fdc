import GafferCore
import PostgresNIO
import Synchronization

extension PostgresStore: SharedLocks {
    /// The first half of every task lock's key ("gaff"): apart from the migrations' lock and anyone else's.
    static let taskLockSpace: Int32 = 0x6761_6666

    /// Holds a session advisory lock on one pooled connection while `body` runs: another replica
    /// asking for the same name waits on the server until this one is done or its connection drops.
    ///
    /// The lock lasts only as long as its connection. If the connection drops, another replica may
    /// take the lock at once, so `body` is cancelled rather than left running beside the new holder;
    /// if it then fails, the error says the lock was lost.
    public func exclusively<T: Sendable>(
        _ name: String,
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        let result: Result<T, any Error>
        do {
            result = try await client.withConnection(isolation: isolation) { connection -> Result<T, any Error> in
                _ = try await connection.rows("SELECT pg_advisory_lock(\(Self.taskLockSpace), hashtext(\(name)))", logger: logger)
                let watch = ConnectionWatch(connection)
                let outcome = await watch.cancellingOnClose {
                    do {
                        return Result<T, any Error>.success(try await body())
                    } catch {
                        return .failure(error)
                    }
                }
                if watch.closed {
                    logger.error("the connection holding a task lock dropped while the work ran", metadata: ["lock": "\(name)"])
                    if case .failure = outcome {
                        return .failure(
                            PostgresStoreError(
                                description:
                                    "the lock on '\(name)' was lost: the connection to PostgreSQL dropped while the work held it; the work was stopped"
                            )
                        )
                    }
                    return outcome
                }
                _ = try? await connection.rows("SELECT pg_advisory_unlock(\(Self.taskLockSpace), hashtext(\(name)))", logger: logger)
                return outcome
            }
        } catch {
            throw PostgresStoreError(error)
        }
        return try result.get()
    }
}

/// Cancels the task that runs `cancellingOnClose` when the connection closes meanwhile.
final class ConnectionWatch: Sendable {
    /// How often the connection is looked at: a lost lock is acted on within this.
    static let interval = Duration.milliseconds(200)

    /// `UnsafeCurrentTask` is not Sendable, but `cancel()` may be called from any thread, and it is
    /// only called while `cancellingOnClose` runs in that task, so the task is alive.
    private struct Holder: @unchecked Sendable {
        let task: UnsafeCurrentTask
    }

    private let connection: PostgresConnection
    private let state = Mutex<(holder: Holder?, closed: Bool)>((nil, false))

    init(_ connection: PostgresConnection) { self.connection = connection }

    /// Whether the connection closed while `cancellingOnClose` ran.
    var closed: Bool { state.withLock { $0.closed } }

    func cancellingOnClose<T>(isolation: isolated (any Actor)? = #isolation, _ body: () async -> T) async -> T {
        let holder = withUnsafeCurrentTask { task in task.map(Holder.init) }
        state.withLock { $0.holder = holder }
        return await withTaskGroup(of: Void.self, isolation: isolation) { group in
            group.addTask {
                while !Task.isCancelled {
                    if self.connection.isClosed {
                        self.state.withLock { state in
                            state.closed = true
                            state.holder?.task.cancel()
                        }
                        return
                    }
                    try? await Task.sleep(for: Self.interval)
                }
            }
            let value = await body()
            state.withLock { $0.holder = nil }
            group.cancelAll()
            return value
        }
    }
}
