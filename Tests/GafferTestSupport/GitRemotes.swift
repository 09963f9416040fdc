import Foundation
import GafferCore
import GafferProcess

/// The `git` command line, for tests to set up remotes and look at what Gaffer pushed.
public enum GitCLI {
    @discardableResult
    public static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) async throws -> String {
        try await runCommand(
            "/usr/bin/git",
            arguments,
            in: directory,
            environment: [
                "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
                "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
                "GIT_CONFIG_NOSYSTEM": "1", "HOME": FileManager.default.temporaryDirectory.path,
            ].merging(environment) { $1 }
        ).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Runs a program to the end and returns its standard output; throws with its standard error if it fails.
/// It waits on a thread of its own: a test blocking one of Swift's few concurrency threads would
/// starve other tests running at once (one renews one-second job leases).
@discardableResult
public func runCommand(
    _ executable: String,
    _ arguments: [String],
    in directory: String? = nil,
    environment: [String: String] = [:]
) async throws -> String {
    let outcome = try await Program.runDetached(
        [executable] + arguments,
        environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
        directory: directory
    )
    guard outcome.status == 0 else {
        throw CommandFailed(command: ([executable] + arguments).joined(separator: " "), output: outcome.errorText)
    }
    return outcome.outputText
}

public struct CommandFailed: Error, CustomStringConvertible {
    public let command: String
    public let output: String
    public var description: String { "\(command) failed: \(output)" }
}

/// A bare repository on disk: the remote end of a test.
public struct BareRemote: Sendable {
    public let path: String

    /// Creates `<directory>/<name>.git`, empty.
    public static func create(in directory: URL, name: String) async throws -> BareRemote {
        let path = directory.appendingPathComponent(name + ".git").path
        try await GitCLI.run(["init", "--quiet", "--bare", "--initial-branch=main", path])
        return BareRemote(path: path)
    }

    public var fileURL: String { "file://" + path }

    /// Commits `files` (path to contents; nil deletes) on `branch` as someone else would, and pushes it here.
    @discardableResult
    public func commit(
        _ files: [String: String?],
        on branch: String = "main",
        message: String = "seed",
        symlinks: [String: String] = [:]
    ) async throws -> String {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("gaffer-seed-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        if (try? await tip(of: branch)) != nil {
            try await GitCLI.run(["clone", "--quiet", "--branch", branch, fileURL, work])
        } else {
            try await GitCLI.run(["init", "--quiet", "--initial-branch=\(branch)", work])
        }
        for (path, contents) in files {
            let full = work + "/" + path
            if let contents {
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(contents.utf8).write(to: URL(fileURLWithPath: full))
            } else {
                try? FileManager.default.removeItem(atPath: full)
            }
        }
        for (path, target) in symlinks {
            try FileManager.default.createSymbolicLink(atPath: work + "/" + path, withDestinationPath: target)
        }
        try await GitCLI.run(["add", "-A"], in: work)
        try await GitCLI.run(["commit", "--quiet", "--allow-empty", "-m", message], in: work)
        try await GitCLI.run(["push", "--quiet", "--force", fileURL, "HEAD:refs/heads/\(branch)"], in: work)
        return try await GitCLI.run(["rev-parse", "HEAD"], in: work)
    }

    /// The branch's commit, or nil when the branch does not exist.
    public func tip(of branch: String) async throws -> String? {
        let refs = try await GitCLI.run(["--git-dir", path, "for-each-ref", "--format=%(objectname)", "refs/heads/\(branch)"])
        return refs.isEmpty ? nil : refs
    }

    public func git(_ arguments: [String]) async throws -> String {
        try await GitCLI.run(["--git-dir", path] + arguments)
    }

    /// A file's contents at the branch's tip.
    public func show(_ file: String, on branch: String) async throws -> String {
        try await git(["show", "\(branch):\(file)"])
    }

    /// `git ls-tree -r` at the branch: mode and path of every file.
    public func files(on branch: String) async throws -> [String: String] {
        let listing = try await git(["ls-tree", "-r", "--format=%(objectmode) %(path)", branch])
        var files: [String: String] = [:]
        for line in listing.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { files[String(parts[1])] = String(parts[0]) }
        }
        return files
    }

    /// Installs a hook script (for example `pre-receive`).
    ///
    /// A child process writes the executable: a descriptor open for writing in this process
    /// would be inherited by whatever another test spawns at that moment, and while any
    /// process holds one, git's exec of the hook fails with ETXTBSY, which git reports as
    /// "hook declined" with none of the hook's output.
    public func installHook(_ name: String, script: String) async throws {
        let body = self.path + "/hooks/" + name + ".body"
        try Data(script.utf8).write(to: URL(fileURLWithPath: body))
        try await runCommand("/bin/sh", ["-c", #"cp "$0" "$1" && chmod 755 "$1" && rm "$0""#, body, self.path + "/hooks/" + name])
    }
}

/// A port nothing listens on right now, for servers that cannot be told to pick their own.
public func unusedPort() throws -> Int {
    let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketFD >= 0 else { throw CommandFailed(command: "socket", output: String(cString: strerror(errno))) }
    defer { close(socketFD) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(socketFD, pointer, length) == 0 && getsockname(socketFD, pointer, &length) == 0
        }
    }
    guard bound else { throw CommandFailed(command: "bind", output: String(cString: strerror(errno))) }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// True once something accepts TCP connections on 127.0.0.1:`port`.
public func isListening(port: Int) -> Bool {
    let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketFD >= 0 else { return false }
    defer { close(socketFD) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}

/// A server process a test started, in a process group of its own; `stop()` ends the group.
/// Started with `ChildProcess`, not Foundation's `Process`, so SIGTERM reaches it.
public final class ServerProcess: Sendable {
    public let pid: pid_t
    private let logPath: String
    private let exited = Locked(false)

    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("gaffer-server-\(UUID().uuidString).log").path
        let log = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let nothing = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer {
            close(log)
            close(nothing)
        }
        pid = try ChildProcess.spawn(
            [executable] + arguments,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            descriptors: [0: nothing, 1: log, 2: log]
        )
    }

    public var output: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    public var isRunning: Bool {
        exited.update { exited in
            if !exited {
                var status: Int32 = 0
                exited = waitpid(pid, &status, WNOHANG) == pid
            }
            return !exited
        }
    }

    /// Waits (polling, with a deadline) until the server accepts connections on `port`.
    public func waitForPort(_ port: Int, what: String) async throws {
        try await waitUntil(timeout: .seconds(20), what) {
            guard self.isRunning else { throw CommandFailed(command: what, output: self.output) }
            return isListening(port: port)
        }
    }

    /// Ends the whole group at once: a test server has nothing to save, and waiting politely
    /// would hold one of Swift's few concurrency threads.
    public func stop() {
        kill(-pid, SIGKILL)
        if isRunning {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}

/// `git daemon` serving every repository under a folder over git://, pushes allowed.
public final class GitDaemon: Sendable {
    public let port: Int
    private let server: ServerProcess

    public static func start(serving folder: URL) async throws -> GitDaemon {
        let port = try unusedPort()
        // git-daemon itself, not the `git daemon` wrapper, so stopping it stops the server.
        let server = try ServerProcess(
            "/usr/lib/git-core/git-daemon",
            [
                "--reuseaddr", "--export-all", "--enable=receive-pack", "--listen=127.0.0.1", "--port=\(port)",
                "--base-path=\(folder.path)", folder.path,
            ]
        )
        do {
            try await server.waitForPort(port, what: "git daemon")
        } catch {
            server.stop()
            throw error
        }
        return GitDaemon(port: port, server: server)
    }

    private init(port: Int, server: ServerProcess) {
        self.port = port
        self.server = server
    }

    public func url(_ repository: String) -> String { "git://127.0.0.1:\(port)/\(repository).git" }

    public func stop() { server.stop() }
}

/// Git's smart HTTP protocol as a real server runs it: nginx asks for basic
/// authentication and hands requests to `git http-backend` through fcgiwrap.
public final class SmartHTTPGitServer: Sendable {
    public let port: Int
    private let nginx: ServerProcess
    private let fcgiwrap: ServerProcess
    private let directory: URL
    private let socket: String

    /// Serves the bare repositories under `folder` at `http://127.0.0.1:<port>/git/<name>.git`,
    /// to `username` with `password` only.
    public static func start(serving folder: URL, username: String, password: String) async throws -> SmartHTTPGitServer {
        // Its configuration (with the password) lives outside the served folder.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gaffer-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // A Unix socket's path is limited to 108 bytes, so it lives in /tmp, not in the test's folder.
        let socket = "/tmp/gaffer-fcgi-\(UUID().uuidString.prefix(8)).sock"
        try Data("\(username):{PLAIN}\(password)\n".utf8).write(to: directory.appendingPathComponent("htpasswd"))
        let fcgiwrap = try ServerProcess("/usr/sbin/fcgiwrap", ["-s", "unix:\(socket)"])
        do {
            try await waitUntil(timeout: .seconds(20), "fcgiwrap's socket") {
                guard fcgiwrap.isRunning else { throw CommandFailed(command: "fcgiwrap", output: fcgiwrap.output) }
                return FileManager.default.fileExists(atPath: socket)
            }
        } catch {
            fcgiwrap.stop()
            throw error
        }
        let port = try unusedPort()
        let configuration = """
            \(getuid() == 0 ? "user root root;" : "")
            daemon off;
            worker_processes 1;
            pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/error.log;
            events { worker_connections 64; }
            http {
                access_log \(directory.path)/access.log;
                client_body_temp_path \(directory.path)/body;
                fastcgi_temp_path \(directory.path)/fastcgi;
                proxy_temp_path \(directory.path)/proxy;
                uwsgi_temp_path \(directory.path)/uwsgi;
                scgi_temp_path \(directory.path)/scgi;
                server {
                    listen 127.0.0.1:\(port);
                    location ~ ^/git(/.*)$ {
                        auth_basic "git";
                        auth_basic_user_file \(directory.path)/htpasswd;
                        client_max_body_size 0;
                        fastcgi_buffering off;
                        fastcgi_pass unix:\(socket);
                        fastcgi_param SCRIPT_FILENAME /usr/lib/git-core/git-http-backend;
                        fastcgi_param GIT_PROJECT_ROOT \(folder.path);
                        fastcgi_param GIT_HTTP_EXPORT_ALL "";
                        fastcgi_param PATH_INFO $1;
                        fastcgi_param REMOTE_USER $remote_user;
                        fastcgi_param REQUEST_METHOD $request_method;
                        fastcgi_param QUERY_STRING $query_string;
                        fastcgi_param CONTENT_TYPE $content_type;
                        fastcgi_param CONTENT_LENGTH $content_length;
                        fastcgi_param HTTP_CONTENT_ENCODING $http_content_encoding;
                        fastcgi_param GIT_CONFIG_NOSYSTEM 1;
                        fastcgi_param HOME \(directory.path);
                    }
                }
            }
            """
        let configurationFile = directory.appendingPathComponent("nginx.conf")
        try Data(configuration.utf8).write(to: configurationFile)
        let nginx: ServerProcess
        do {
            nginx = try ServerProcess("/usr/sbin/nginx", ["-p", directory.path, "-c", configurationFile.path, "-e", directory.path + "/error.log"])
            try await nginx.waitForPort(port, what: "nginx")
        } catch {
            fcgiwrap.stop()
            throw error
        }
        return SmartHTTPGitServer(port: port, nginx: nginx, fcgiwrap: fcgiwrap, directory: directory, socket: socket)
    }

    private init(port: Int, nginx: ServerProcess, fcgiwrap: ServerProcess, directory: URL, socket: String) {
        self.socket = socket
        self.port = port
        self.nginx = nginx
        self.fcgiwrap = fcgiwrap
        self.directory = directory
    }

    public func url(_ repository: String) -> String { "http://127.0.0.1:\(port)/git/\(repository).git" }

    /// nginx's access log: one line per request, with the user name.
    public var accessLog: String {
        (try? String(contentsOf: directory.appendingPathComponent("access.log"), encoding: .utf8)) ?? ""
    }

    public func stop() {
        nginx.stop()
        fcgiwrap.stop()
        try? FileManager.default.removeItem(at: directory)
        try? FileManager.default.removeItem(atPath: socket)
    }
}

public enum RemoteSecrets {
    /// Files under `folder` whose bytes contain `secret`.
    public static func filesContaining(_ secret: String, under folder: URL) throws -> [String] {
        let needle = Data(secret.utf8)
        var found: [String] = []
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            if let data = try? Data(contentsOf: url), data.range(of: needle) != nil {
                found.append(url.path)
            }
        }
        return found
    }
}

/// OpenSSH's server on 127.0.0.1, letting in one client key, so pushes go
/// over `ssh://` to `git-receive-pack` as they would to a real git host.
public final class SSHGitServer: Sendable {
    public let port: Int
    /// The client's private key (its `.pub` beside it), which the server lets in.
    public let clientKey: String
    /// The server's host key as `ssh-keygen -lf` prints it: `SHA256:...`.
    public let hostKeyFingerprint: String
    public let user: String
    private let server: ServerProcess
    private let directory: URL

    public static func start() async throws -> SSHGitServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gaffer-ssh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let hostKey = directory.appendingPathComponent("host_key").path
        let clientKey = directory.appendingPathComponent("client_key").path
        for key in [hostKey, clientKey] {
            try await runCommand("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "gaffer-test", "-f", key])
        }
        let listing = try await runCommand("/usr/bin/ssh-keygen", ["-l", "-E", "sha256", "-f", hostKey + ".pub"])
        let fingerprint = String(listing.split(separator: " ").dropFirst().first ?? "")
        try FileManager.default.copyItem(atPath: clientKey + ".pub", toPath: directory.appendingPathComponent("authorized_keys").path)
        // sshd refuses to start without its privilege separation directory.
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        // The free port is chosen before sshd binds it, so another server can take it first: try a new one.
        for attempt in 1...3 {
            do {
                return try await launch(directory: directory, hostKey: hostKey, clientKey: clientKey, fingerprint: fingerprint)
            } catch  where attempt < 3 && "\(error)".contains("Address already in use") {
                continue
            }
        }
        throw CommandFailed(command: "sshd", output: "no free port after three tries")
    }

    private static func launch(directory: URL, hostKey: String, clientKey: String, fingerprint: String) async throws -> SSHGitServer {
        let port = try unusedPort()
        let configuration = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(hostKey)
            PidFile \(directory.path)/sshd.pid
            AuthorizedKeysFile \(directory.path)/authorized_keys
            StrictModes no
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            UsePAM no
            """
        let configurationFile = directory.appendingPathComponent("sshd_config").path
        try Data(configuration.utf8).write(to: URL(fileURLWithPath: configurationFile))
        let server = try ServerProcess("/usr/sbin/sshd", ["-D", "-e", "-f", configurationFile])
        do {
            try await server.waitForPort(port, what: "sshd")
        } catch {
            server.stop()
            throw error
        }
        let user = String(cString: getpwuid(getuid()).pointee.pw_name)
        return SSHGitServer(port: port, clientKey: clientKey, fingerprint: fingerprint, user: user, server: server, directory: directory)
    }

    private init(port: Int, clientKey: String, fingerprint: String, user: String, server: ServerProcess, directory: URL) {
        self.port = port
        self.clientKey = clientKey
        self.hostKeyFingerprint = fingerprint
        self.user = user
        self.server = server
        self.directory = directory
    }

    /// An `ssh://` URL for a bare repository at an absolute path.
    public func url(_ repositoryPath: String) -> String { "ssh://\(user)@127.0.0.1:\(port)\(repositoryPath)" }

    /// A new key pair the server does not know.
    public func strangerKey() async throws -> String {
        let key = directory.appendingPathComponent("stranger_\(UUID().uuidString.prefix(8))").path
        try await runCommand("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key])
        return key
    }

    public func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
