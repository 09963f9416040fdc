import Foundation
import GafferProcess

/// moto_server on 127.0.0.1, as a local AWS endpoint for the demo: started in
/// a process group of its own (so stopping it stops all it started), its
/// output in a log file, and waited for by polling its port with a deadline.
public final class LocalAWSEndpoint: Sendable {
    public let port: Int
    public let logPath: String
    private let pid: pid_t

    public var url: String { "http://127.0.0.1:\(port)" }

    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts moto_server on `port` (0: a free one) and waits until it answers.
    public static func start(port requested: Int = 0, logDirectory: URL) async throws -> LocalAWSEndpoint {
        let probe = try Program.run(["/usr/bin/env", "python3", "-c", "import moto.server"])
        guard probe.status == 0 else {
            throw Unavailable(description: "moto_server is not installed: run scripts/setup, or python3 -m pip install 'moto[server]'")
        }
        let port = requested == 0 ? try freePort() : requested
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        let logPath = logDirectory.appendingPathComponent("moto.log").path
        let log = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let nothing = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer {
            close(log)
            close(nothing)
        }
        let pid = try ChildProcess.spawn(
            ["/usr/bin/env", "python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)],
            environment: ProcessInfo.processInfo.environment,
            descriptors: [0: nothing, 1: log, 2: log]
        )
        let endpoint = LocalAWSEndpoint(port: port, logPath: logPath, pid: pid)
        let deadline = ContinuousClock.now + .seconds(30)
        while !canConnect(port: port) {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                throw Unavailable(description: "moto_server stopped at start; its log is \(logPath)")
            }
            guard ContinuousClock.now < deadline else {
                endpoint.stop()
                throw Unavailable(description: "moto_server did not answer on port \(port) within 30 s; its log is \(logPath)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return endpoint
    }

    private init(port: Int, logPath: String, pid: pid_t) {
        self.port = port
        self.logPath = logPath
        self.pid = pid
    }

    /// Stops moto_server and everything it started.
    public func stop() {
        kill(-pid, SIGTERM)
        var status: Int32 = 0
        let deadline = ContinuousClock.now + .seconds(5)
        while waitpid(pid, &status, WNOHANG) == 0 {
            guard ContinuousClock.now < deadline else {
                kill(-pid, SIGKILL)
                waitpid(pid, &status, 0)
                return
            }
            usleep(20_000)
        }
    }

    static func canConnect(port: Int) -> Bool {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// A port nothing listens on now (the kernel's pick for a socket bound to port 0).
    public static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Unavailable(description: "no socket for a port") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Unavailable(description: "no free port") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        guard
            withUnsafeMutablePointer(to: &address, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }) == 0
        else { throw Unavailable(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
