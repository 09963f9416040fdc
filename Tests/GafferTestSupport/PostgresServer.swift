import Foundation
import GafferProcess

/// A PostgreSQL server from Debian's `postgresql` package, in a temporary directory, on
/// 127.0.0.1 and a free port, with a password-protected superuser `gaffer`. When the tests run
/// as root it runs as the package's `postgres` user, since PostgreSQL refuses to run as root.
public final class PostgresServer: Sendable {
    public let port: Int
    public let password: String
    private let directory: TemporaryDirectory
    private let command: [String]
    private let server: Locked<ServerProcess>

    /// `postgresql://gaffer:…@127.0.0.1:<port>/<database>`.
    public func url(database: String = "postgres", scheme: String = "postgresql") -> String {
        "\(scheme)://gaffer:\(password)@127.0.0.1:\(port)/\(database)"
    }

    private init(port: Int, password: String, directory: TemporaryDirectory, command: [String], server: ServerProcess) {
        self.port = port
        self.password = password
        self.directory = directory
        self.command = command
        self.server = Locked(server)
    }

    public static func start() async throws -> PostgresServer {
        let binaries = try binaryDirectory()
        let directory = try TemporaryDirectory("gaffer-postgres")
        let password = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let passwordFile = directory.url.appendingPathComponent("password").path
        try Data(password.utf8).write(to: URL(fileURLWithPath: passwordFile))
        var asUser: [String] = []
        if geteuid() == 0 {
            guard let account = getpwnam("postgres") else {
                directory.remove()
                throw CommandFailed(command: "getpwnam postgres", output: "no postgres user: install Debian's postgresql (scripts/setup)")
            }
            for path in [directory.url.path, passwordFile] { chown(path, account.pointee.pw_uid, account.pointee.pw_gid) }
            asUser = ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
        }
        let data = directory.url.appendingPathComponent("data").path
        let initdb = try await Program.runDetached(
            asUser + [
                "\(binaries)/initdb", "-D", data, "-U", "gaffer", "--pwfile=\(passwordFile)", "--auth=scram-sha-256", "-E", "UTF8", "--no-sync",
            ]
        )
        guard initdb.status == 0 else {
            directory.remove()
            throw CommandFailed(command: "initdb", output: initdb.outputText + initdb.errorText)
        }
        let port = try unusedPort()
        let command =
            asUser + [
                "\(binaries)/postgres", "-D", data, "-p", String(port), "-k", directory.url.path, "-c", "listen_addresses=127.0.0.1",
                // Suites share one server, and each test's store may open ten connections.
                "-c", "fsync=off", "-c", "max_connections=1000",
            ]
        let server = try ServerProcess(command[0], Array(command.dropFirst()))
        do {
            try await server.waitForPort(port, what: "postgres")
        } catch {
            server.stop()
            directory.remove()
            throw error
        }
        return PostgresServer(port: port, password: password, directory: directory, command: command, server: server)
    }

    /// Runs SQL with psql as the superuser; returns what it printed (unaligned, tuples only).
    public func psql(_ sql: String, database: String = "postgres") async throws -> String {
        let outcome = try await Program.runDetached(
            [
                "/usr/bin/env", "PGPASSWORD=\(password)", "psql", "-h", "127.0.0.1", "-p", String(port), "-U", "gaffer", "-d", database, "-At", "-v",
                "ON_ERROR_STOP=1", "-c", sql,
            ]
        )
        guard outcome.status == 0 else { throw CommandFailed(command: "psql", output: outcome.errorText) }
        return outcome.outputText
    }

    /// Kills the server as a crash or a failover would (every connection drops), then starts it again
    /// on the same data and port; it recovers what was committed.
    public func restart() async throws {
        server.value.stop()
        let started = try ServerProcess(command[0], Array(command.dropFirst()))
        server.update { $0 = started }
        try await started.waitForPort(port, what: "postgres after a restart")
    }

    public func stop() {
        server.value.stop()
        directory.remove()
    }

    /// The newest `/usr/lib/postgresql/<version>/bin` with initdb in it.
    static func binaryDirectory() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        guard let version = versions.last(where: { FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/initdb") }) else {
            throw CommandFailed(command: "initdb", output: "PostgreSQL's server is not installed under \(root): run scripts/setup")
        }
        return "\(root)/\(version)/bin"
    }
}
