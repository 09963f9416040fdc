import Foundation
import GafferCore
import GafferProcess

/// The one shell a 0.2 build runs all its commands in (0.1: one per command).
///
/// Commands go in on the shell's standard input, each wrapped in markers for
/// its start and its exit status, printed on fd 62 (8 in sh), which is the
/// same pipe as the output, so they always come in order with the output. A command
/// is assigned to a variable and run with `eval`, so a syntax error in it is
/// that command's failure and cannot swallow what follows; its standard input
/// is /dev/null, so it cannot read the commands that follow either. When a
/// command ends the shell (`exit 3`, or a failure under `set -e`), an EXIT
/// trap reports the status and starts a new shell in its place (`exec`), which
/// keeps the working directory and exported variables; only unexported shell
/// variables are lost, where CodeBuild loses them too.
final class BuildShell: @unchecked Sendable {
    // @unchecked: `input` is written by one task at a time (the runner's), and `events` is thread-safe.
    enum Event: Equatable {
        /// The shell is about to run the command at this index of the list being run.
        case started(Int)
        case status(Int32)
        /// The command ended the shell with this status; a new shell took its place.
        case shellReplaced(Int32)
        case variable(String, String)
        /// The shell process ended (killed, or told to exit).
        case died(Int32)
    }

    let pid: pid_t
    private let input: Int32
    /// The shell's descriptor for status markers: high for bash, where scripts rarely reach it;
    /// dash only knows single digits.
    private let statusFD: Int32
    /// A copy of the shell's standard input, so the shell started in place of one that
    /// exited inside a command (whose input was /dev/null then) reads the commands again.
    private let inputCopyFD: Int32
    private let token: String
    private let shellCommand: String
    private let events = ShellEvents()
    private let notes: CommandNotes

    /// A write to a shell that has died must be an error to handle, not SIGPIPE ending Gaffer.
    private static let ignoreBrokenPipes: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    init(shell: Environment.Shell, environment: [String: String], directory: String, isolation: BuildIsolation, log: BuildLog) throws {
        Self.ignoreBrokenPipes
        let stdin = try ChildProcess.pipe()
        let output = try ChildProcess.pipe()
        let shellArguments = shell == .bash ? ["bash", "--noprofile", "--norc"] : ["/bin/sh"]
        // A shell that replaces one keeps the same process, so it stays inside whatever isolated it.
        shellCommand = shellArguments.joined(separator: " ")
        let arguments = try isolation.launcher(sourceDirectory: directory) + shellArguments
        token = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        statusFD = shell == .bash ? 62 : 8
        inputCopyFD = shell == .bash ? 61 : 7
        do {
            pid = try ChildProcess.spawn(
                arguments,
                environment: environment,
                descriptors: [0: stdin.read, 1: output.write, 2: output.write, statusFD: output.write]
            )
        } catch {
            [stdin.read, stdin.write, output.read, output.write].forEach { Glibc.close($0) }
            throw error
        }
        Glibc.close(stdin.read)
        Glibc.close(output.write)
        input = stdin.write
        notes = CommandNotes(log: log)
        let (pid, events, notes, marker) = (pid, events, notes, Array("\u{1F}GAFFER:\(token):".utf8))
        Thread.detachNewThread {
            Self.read(output.read, marker: marker, log: log, events: events, notes: notes)
        }
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            events.push(.died((status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)))
        }
        // bash reads a pipe a byte at a time, so what is sent per command is kept short:
        // `__r` marks a command's start, `__s` its status (and returns it, for the `&&` chain).
        send("cd -- \(Self.quoted(directory)) || exit 97\nexec \(inputCopyFD)<&0\n" + setup)
    }

    deinit {
        Glibc.close(input)
    }

    /// The helpers and the EXIT trap, sent to each new shell (the first, and any that replaces one).
    private var setup: String {
        "__r() { printf '\\037GAFFER:\(token):R:%d\\n' \"$1\" >&\(statusFD); }\n"
            + "__s() { printf '\\037GAFFER:\(token):S:%d\\n' \"$1\" >&\(statusFD); return \"$1\"; }\n"
            + "trap '__gaffer_status=$?; printf \"\\037GAFFER:\(token):X:%d\\n\" \"$__gaffer_status\" >&\(statusFD); exec \(shellCommand) <&\(inputCopyFD)' EXIT\n"
    }

    /// Runs `commands` in order until one fails; returns the failing one's index and exit status
    /// (nil status when the shell died, killed by a timeout), or nil when all succeeded.
    ///
    /// The whole list goes to the shell at once as one `&&` chain, so the shell, not a round trip
    /// through Gaffer, moves from one command to the next; the reader thread logs each
    /// "Running command" line from the shell's own marker, in order with the output.
    func run(_ commands: [String]) async -> (index: Int, status: Int32?)? {
        guard !commands.isEmpty else { return nil }
        notes.set(commands)
        defer { notes.set([]) }
        send(chain(commands, from: 0))
        var current = 0
        while true {
            switch await events.next() {
            case .started(let index):
                current = index
            case .status(let status):
                if status != 0 { return (current, status) }
                if current == commands.count - 1 { return nil }
            case .shellReplaced(let status):
                send(setup)
                if status != 0 { return (current, status) }
                if current == commands.count - 1 { return nil }
                // `exit 0` inside a command: it succeeded, and the rest of the chain went with the old shell.
                send(chain(commands, from: current + 1))
            case .died:
                return (current, nil)
            case .variable:
                continue
            }
        }
    }

    /// `{ __r 0;__c='...';eval "$__c" </dev/null;__s $?; } && { __r 1;...; }`: stops at the first failure.
    private func chain(_ commands: [String], from start: Int) -> String {
        commands.indices.dropFirst(start).map { index in
            "{ __r \(index);__c=\(Self.quoted(commands[index]));eval \"$__c\" </dev/null;__s $?; }"
        }.joined(separator: " &&\n") + "\n"
    }

    /// The current values of `names` in the shell (empty for unset).
    func values(of names: [String]) async -> [String: String] {
        let lines = names.map { "printf '\\037GAFFER:\(token):V:%s=%s\\036\\n' \(Self.quoted($0)) \"${\($0)-}\" >&\(statusFD)\n" }
        send(lines.joined() + statusLine)
        var values: [String: String] = [:]
        while true {
            switch await events.next() {
            case .variable(let name, let value): values[name] = value
            case .shellReplaced: send(setup)
            default: return values
            }
        }
    }

    /// Sets an exported variable in the shell, without a trace in the log.
    func export(_ name: String, _ value: String) async {
        send("export \(name)=\(Self.quoted(value))\n" + statusLine)
        _ = await nextOutcome()
    }

    /// Ends the shell: no more commands.
    func close() async {
        send("trap - EXIT\nexit 0\n")
        while true {
            if case .died = await events.next() { return }
        }
    }

    /// SIGTERM to the shell and everything in its process group, then SIGKILL after `grace`.
    func terminate(grace: Duration) async {
        kill(-pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while !events.isDead && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        kill(-pid, SIGKILL)
    }

    /// Ends whatever the build left running in the background.
    func killGroup() {
        kill(-pid, SIGKILL)
    }

    private var statusLine: String { "__s $?\n" }

    private func nextOutcome() async -> Event {
        while true {
            let event = await events.next()
            switch event {
            case .variable, .started: continue
            default: return event
            }
        }
    }

    private func send(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(input, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }  // the shell is gone; its death is reported by the waiter
                offset += written
            }
        }
    }

    /// `text` in single quotes for the shell, each `'` written as `'\''`.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The reader thread: output to the log, markers to `events`.
    private static func read(_ fd: Int32, marker: [UInt8], log: BuildLog, events: ShellEvents, notes: CommandNotes) {
        defer { Glibc.close(fd) }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            buffer.append(contentsOf: chunk[0..<count])
            var start = 0
            buffer.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                while start < bytes.count {
                    guard let found = memchr(base + start, 0x1F, bytes.count - start) else {
                        log.append(UnsafeRawBufferPointer(rebasing: bytes[start...]))
                        start = bytes.count
                        return
                    }
                    let at = base.distance(to: UnsafeRawPointer(found))
                    log.append(UnsafeRawBufferPointer(rebasing: bytes[start..<at]))
                    start = at
                    let available = bytes.count - at
                    let prefixLength = min(available, marker.count)
                    guard bytes[at..<(at + prefixLength)].elementsEqual(marker[0..<prefixLength]) else {
                        log.append(UnsafeRawBufferPointer(rebasing: bytes[at..<(at + 1)]))  // an ordinary 0x1F byte
                        start = at + 1
                        continue
                    }
                    guard available > marker.count, let record = parseRecord(bytes, from: at + marker.count) else {
                        return  // the marker is not all here yet
                    }
                    log.flush()
                    if case .started(let index) = record.event {
                        notes.started(index)
                    }
                    events.push(record.event)
                    start = record.end
                }
            }
            buffer.removeFirst(start)
        }
        log.flush()
    }

    /// `S:<status>\n`, `X:<status>\n` or `V:<name>=<value>\u{1E}\n`, starting at `from`.
    private static func parseRecord(_ bytes: UnsafeRawBufferPointer, from: Int) -> (event: Event, end: Int)? {
        guard bytes.count > from + 1 else { return nil }
        let kind = bytes[from]
        let body = from + 2
        if kind == UInt8(ascii: "V") {
            guard let separator = bytes[body...].firstIndex(of: 0x1E), bytes.count > separator + 1 else { return nil }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[body..<separator]), as: UTF8.self)
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (.variable(String(parts[0]), parts.count > 1 ? String(parts[1]) : ""), separator + 2)
        }
        guard let newline = bytes[body...].firstIndex(of: 10) else { return nil }
        let number = Int32(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[body..<newline]), as: UTF8.self)) ?? 1
        switch kind {
        case UInt8(ascii: "R"): return (.started(Int(number)), newline + 1)
        case UInt8(ascii: "X"): return (.shellReplaced(number), newline + 1)
        default: return (.status(number), newline + 1)
        }
    }
}

/// The commands being run, so the reader thread can log "Running command" when the shell starts one.
final class CommandNotes: @unchecked Sendable {
    // @unchecked: `commands` is only touched with `lock` held.
    private let lock = NSLock()
    private var commands: [String] = []
    private let log: BuildLog

    init(log: BuildLog) {
        self.log = log
    }

    func set(_ commands: [String]) {
        lock.withLock { self.commands = commands }
    }

    func started(_ index: Int) {
        guard let command = lock.withLock({ commands.indices.contains(index) ? commands[index] : nil }) else { return }
        log.note("Running command \(BuildRunner.shown(command))")
    }
}

/// The shell's events in order, for the one task waiting on them.
final class ShellEvents: @unchecked Sendable {
    // @unchecked: every property is only touched with `lock` held.
    private let lock = NSLock()
    private var queue: [BuildShell.Event] = []
    private var waiter: CheckedContinuation<BuildShell.Event, Never>?
    private var deathStatus: Int32?

    var isDead: Bool { lock.withLock { deathStatus != nil } }

    func push(_ event: BuildShell.Event) {
        lock.lock()
        if case .died(let status) = event { deathStatus = status }
        if let waiter {
            self.waiter = nil
            lock.unlock()
            waiter.resume(returning: event)
        } else {
            queue.append(event)
            lock.unlock()
        }
    }

    /// The next event; once the shell has died and everything before is read, `.died` again and again.
    func next() async -> BuildShell.Event {
        await withCheckedContinuation { continuation in
            lock.lock()
            if !queue.isEmpty {
                let event = queue.removeFirst()
                lock.unlock()
                continuation.resume(returning: event)
            } else if let deathStatus {
                lock.unlock()
                continuation.resume(returning: .died(deathStatus))
            } else {
                waiter = continuation
                lock.unlock()
            }
        }
    }
}
