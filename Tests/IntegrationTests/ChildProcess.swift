import Foundation
import GafferTestSupport

/// `gaffer` run as a child process, its standard error captured, so a test
/// can see its log, signal it and kill it like an operator (or a crash) would.
final class GafferProcess: Sendable {
    private let process: Process
    private let log = Locked("")

    /// The `gaffer` binary the build made beside the test bundle.
    static func binary() throws -> URL {
        if let override = ProcessInfo.processInfo.environment["GAFFER_BINARY"] {
            return URL(fileURLWithPath: override)
        }
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL {
            var directory = executable.deletingLastPathComponent()
            for _ in 0..<4 {
                candidates.append(directory.appendingPathComponent("gaffer"))
                directory = directory.deletingLastPathComponent()
            }
        }
        candidates.append(Conformance.packageRoot.appendingPathComponent(".build/debug/gaffer"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw NotFound(looked: candidates.map(\.path))
        }
        return found
    }

    struct NotFound: Error, CustomStringConvertible {
        var looked: [String]
        var description: String { "the gaffer binary was not found; looked at \(looked.joined(separator: ", ")); build it or set GAFFER_BINARY" }
    }

    init(arguments: [String], environment: [String: String], directory: URL? = nil) throws {
        process = Process()
        process.executableURL = try Self.binary()
        process.currentDirectoryURL = directory
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GAFFER_") }
        merged.merge(environment) { $1 }
        process.environment = merged
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        pipe.fileHandleForReading.readabilityHandler = { [log] handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                return
            }
            log.update { $0 += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    var output: String { log.value }
    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.processIdentifier }
    var exitStatus: Int32 { process.terminationStatus }

    /// Waits for the "listening" line and returns the port it names.
    func waitForPort(timeout: Duration = .seconds(60)) async throws -> Int {
        var port: Int?
        try await waitUntil(timeout: timeout, "gaffer to listen") {
            if !self.isRunning { throw Exited(output: self.output) }
            port = Self.port(in: self.output)
            return port != nil
        }
        return port ?? 0
    }

    static func port(in log: String) -> Int? {
        guard let range = log.range(of: #"address=http://[^:]+:(\d+)"#, options: .regularExpression) else { return nil }
        return log[range].split(separator: ":").last.flatMap { Int($0) }
    }

    struct Exited: Error, CustomStringConvertible {
        var output: String
        var description: String { "gaffer exited early:\n\(output)" }
    }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit and returns its status.
    func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        try await waitUntil(timeout: timeout, "gaffer to exit") { !self.isRunning }
        return process.terminationStatus
    }

    /// Kills it if it is still running (cleanup).
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
