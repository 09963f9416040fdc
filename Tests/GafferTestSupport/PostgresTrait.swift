import Foundation
import Testing

/// A PostgreSQL server for a suite (`@Suite(.postgres)`), shared by the suites running at the same time
/// and stopped when the last ends;
/// each test takes a database of its own with `PostgresTrait.freshDatabase()`.
public struct PostgresTrait: SuiteTrait, TestTrait, TestScoping {
    @TaskLocal static var server: PostgresServer?

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        if Self.server != nil { return try await function() }
        let server = try await SharedServer.shared.acquire()
        do {
            try await Self.$server.withValue(server) { try await function() }
        } catch {
            await SharedServer.shared.release()
            throw error
        }
        await SharedServer.shared.release()
    }

    /// One server for every suite that runs at the same time (they run in parallel, and each server
    /// costs an initdb and a postmaster); stopped when the last of them ends.
    private actor SharedServer {
        static let shared = SharedServer()
        private var server: Task<PostgresServer, any Error>?
        private var users = 0

        func acquire() async throws -> PostgresServer {
            users += 1
            let starting = server ?? Task { try await PostgresServer.start() }
            server = starting
            do {
                return try await starting.value
            } catch {
                users -= 1
                if users == 0 { server = nil }
                throw error
            }
        }

        func release() async {
            users -= 1
            guard users == 0, let starting = server else { return }
            server = nil
            (try? await starting.value)?.stop()
        }
    }

    /// The suite's server; a test outside a `.postgres` suite is told how to get one.
    public static func currentServer() throws -> PostgresServer {
        guard let server else {
            throw CommandFailed(command: "PostgresTrait", output: "this test needs a PostgreSQL server: mark its suite @Suite(.postgres)")
        }
        return server
    }

    /// A new, empty database on the suite's server; its URL (`postgres://gaffer:…@127.0.0.1:<port>/<name>`).
    public static func freshDatabase() async throws -> String {
        let server = try currentServer()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        _ = try await server.psql("CREATE DATABASE \(name)")
        return server.url(database: name, scheme: "postgres") + "?sslmode=disable"
    }
}

extension SuiteTrait where Self == PostgresTrait {
    /// A PostgreSQL server for the suite.
    public static var postgres: Self { PostgresTrait() }
}
