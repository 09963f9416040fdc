import Foundation
import GafferProcess

/// A PostgreSQL server from Debian's `postgresql` package, in a temporary directory, on
/// 127.0.0.1 and a free port, with a password-protected superuser `gaffer`. When the tests run
/// as root it runs as the package's `postgres` user, since PostgreSQL refuses to run as root.
public final class PostgresServer: Sendable {
    public let port: Int
    public let password: String
    /// With `start(tls: true)`: the PEM of the authority that signed the server's certificate
    /// (issued to `localhost` only, so `127.0.0.1` fails a host name check).
    public let certificateAuthority: String?
    private let directory: TemporaryDirectory
    private let command: [String]
    private let server: Locked<ServerProcess>

    /// `postgresql://gaffer:…@127.0.0.1:<port>/<database>`.
    public func url(database: String = "postgres", scheme: String = "postgresql") -> String {
        "\(scheme)://gaffer:\(password)@127.0.0.1:\(port)/\(database)"
    }

    private init(port: Int, password: String, certificateAuthority: String?, directory: TemporaryDirectory, command: [String], server: ServerProcess)
    {
        self.port = port
        self.password = password
        self.certificateAuthority = certificateAuthority
        self.directory = directory
        self.command = command
        self.server = Locked(server)
    }

    /// - Parameter tls: whether the server offers TLS, with a certificate from an authority of the test's own.
    public static func start(tls: Bool = false) async throws -> PostgresServer {
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
        var tlsOptions: [String] = []
        var authority: String?
        if tls {
            do {
                let files = try await makeCertificates(in: directory.url.path, owner: asUser.isEmpty ? nil : "postgres")
                tlsOptions = ["-c", "ssl=on", "-c", "ssl_cert_file=\(files.certificate)", "-c", "ssl_key_file=\(files.key)"]
                authority = files.authority
            } catch {
                directory.remove()
                throw error
            }
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
            ] + tlsOptions
        let server = try ServerProcess(command[0], Array(command.dropFirst()))
        do {
            try await waitUntilReady(server, port: port, what: "postgres")
        } catch {
            server.stop()
            directory.remove()
            throw error
        }
        return PostgresServer(port: port, password: password, certificateAuthority: authority, directory: directory, command: command, server: server)
    }

    /// An authority and a server certificate it signed for `localhost`, made with openssl; the key
    /// readable only by the server's user, as PostgreSQL requires.
    private static func makeCertificates(in directory: String, owner: String?) async throws -> (authority: String, certificate: String, key: String) {
        let authority = "\(directory)/authority.pem"
        let certificate = "\(directory)/server.pem"
        let key = "\(directory)/server.key"
        let names = "\(directory)/server.ext"
        try Data("subjectAltName=DNS:localhost\n".utf8).write(to: URL(fileURLWithPath: names))
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        let steps: [[String]] = [
            ["req", "-x509"] + ec + ["-keyout", "\(directory)/authority.key", "-out", authority, "-days", "2", "-subj", "/CN=Gaffer test authority"],
            ["req"] + ec + ["-keyout", key, "-out", "\(directory)/server.csr", "-subj", "/CN=localhost"],
            [
                "x509", "-req", "-in", "\(directory)/server.csr", "-CA", authority, "-CAkey", "\(directory)/authority.key", "-CAcreateserial",
                "-out", certificate, "-days", "2", "-extfile", names,
            ],
        ]
        for step in steps {
            let outcome = try await Program.runDetached(["/usr/bin/openssl"] + step)
            guard outcome.status == 0 else {
                throw CommandFailed(command: "openssl \(step[0])", output: outcome.errorText + " (install openssl: scripts/setup)")
            }
        }
        chmod(key, 0o600)
        if let owner, let account = getpwnam(owner) {
            for path in [certificate, key] { chown(path, account.pointee.pw_uid, account.pointee.pw_gid) }
        }
        return (authority, certificate, key)
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
        let old = server.value
        old.stop()
        // Every backend of the old server must be gone before the new one starts: one still exiting holds the
        // shared memory, and the new server refuses to start ("pre-existing shared memory block is still in use").
        try await waitUntil(timeout: .seconds(60), interval: .milliseconds(20), "the old postgres's processes to exit") {
            kill(-old.pid, 0) != 0
        }
        let started = try ServerProcess(command[0], Array(command.dropFirst()))
        server.update { $0 = started }
        try await Self.waitUntilReady(started, port: port, what: "postgres after a restart")
    }

    /// The port opens while the server is still starting up, and refuses connections until it is done (57P03).
    private static func waitUntilReady(_ server: ServerProcess, port: Int, what: String) async throws {
        try await server.waitForPort(port, what: what)
        let ready = "\(try binaryDirectory())/pg_isready"
        try await waitUntil(timeout: .seconds(60), interval: .milliseconds(50), "\(what) to accept connections") {
            try await Program.runDetached([ready, "-q", "-h", "127.0.0.1", "-p", String(port)]).status == 0
        }
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
