import Foundation
import Testing

/// One PostgreSQL server for a whole suite (`@Suite(.postgres)`), stopped when the suite ends;
/// each test takes a database of its own with `PostgresTrait.freshDatabase()`.
public struct PostgresTrait: SuiteTrait, TestTrait, TestScoping {
    @TaskLocal static var server: PostgresServer?

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        if Self.server != nil { return try await function() }
        let server = try await PostgresServer.start()
        defer { server.stop() }
        try await Self.$server.withValue(server) { try await function() }
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
