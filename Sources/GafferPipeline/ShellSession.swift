import Foundation

/// The shells of one build: one for the whole build in 0.2, a fresh one per command in 0.1.
/// Also how a build is stopped (its timeout, or a cancel): `stop` ends the shell running now and
/// every process it started, and no shell starts after.
final class ShellSession: @unchecked Sendable {
    // @unchecked: the mutable properties are only touched with `lock` held.
    private let lock = NSLock()
    private let version: Buildspec.Version
    private let shellKind: Environment.Shell
    private let directory: String
    private let isolation: BuildIsolation
    private let log: BuildLog
    private var environment: [String: String]
    private var current: BuildShell?
    private var stopReason: StopReason?

    enum StopReason: Sendable {
        case timedOut, stopped
    }

    init(
        version: Buildspec.Version,
        shell: Environment.Shell,
        environment: [String: String],
        directory: String,
        isolation: BuildIsolation,
        log: BuildLog
    ) {
        self.isolation = isolation
        self.version = version
        self.shellKind = shell
        self.environment = environment
        self.directory = directory
        self.log = log
    }

    /// Why the build was stopped, if it was.
    var stopped: StopReason? { lock.withLock { stopReason } }
    var timedOut: Bool { stopped != nil }

    /// Runs commands until one fails: its index and exit status (nil when its shell was killed
    /// or could not start), or nil when all succeeded. In 0.1 each runs in a shell of its own.
    func run(_ commands: [String]) async -> (index: Int, status: Int32?)? {
        guard version == .v0_1 else {
            guard let shell = shell() else { return commands.isEmpty ? nil : (0, nil) }
            return await shell.run(commands)
        }
        for (index, command) in commands.enumerated() {
            guard let shell = shell() else { return (index, nil) }
            let failure = await shell.run([command])
            await close()
            if let failure { return (index, failure.status) }
        }
        return nil
    }

    func export(_ name: String, _ value: String) async {
        lock.withLock { environment[name] = value }
        if version == .v0_2, let shell = lock.withLock({ current }) {
            await shell.export(name, value)
        }
    }

    func values(of names: [String]) async -> [String: String] {
        guard let shell = shell() else { return [:] }
        let values = await shell.values(of: names)
        if version == .v0_1 { await close() }
        return values
    }

    /// Ends the current shell and whatever it left running in the background.
    func close() async {
        guard
            let shell = lock.withLock({ () -> BuildShell? in
                defer { current = nil }
                return current
            })
        else { return }
        await shell.close()
        shell.killGroup()
    }

    func stop(_ reason: StopReason, grace: Duration) async {
        let shell = lock.withLock { () -> BuildShell? in
            if stopReason == nil { stopReason = reason }
            return current
        }
        await shell?.terminate(grace: grace)
    }

    private func shell() -> BuildShell? {
        lock.withLock {
            if let current { return current }
            guard stopReason == nil else { return nil }
            do {
                current = try BuildShell(shell: shellKind, environment: environment, directory: directory, isolation: isolation, log: log)
            } catch {
                log.note("Could not start the shell: \(error)")
            }
            return current
        }
    }
}
