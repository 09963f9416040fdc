import GafferCore
import PostgresNIO

extension PostgresStore: SharedLocks {
    /// The first half of every task lock's key ("gaff"): apart from the migrations' lock and anyone else's.
    static let taskLockSpace: Int32 = 0x6761_6666

    /// Holds a session advisory lock on one pooled connection while `body` runs: another replica
    /// asking for the same name waits on the server until this one is done or its connection drops.
    public func exclusively<T: Sendable>(
        _ name: String,
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        let result: Result<T, any Error>
        do {
            result = try await client.withConnection(isolation: isolation) { connection -> Result<T, any Error> in
                _ = try await connection.rows("SELECT pg_advisory_lock(\(Self.taskLockSpace), hashtext(\(name)))", logger: logger)
                let outcome: Result<T, any Error>
                do {
                    outcome = .success(try await body())
                } catch {
                    outcome = .failure(error)
                }
                // A connection that broke meanwhile ended its session, and the lock with it.
                _ = try? await connection.rows("SELECT pg_advisory_unlock(\(Self.taskLockSpace), hashtext(\(name)))", logger: logger)
                return outcome
            }
        } catch {
            throw PostgresStoreError(error)
        }
        return try result.get()
    }
}
