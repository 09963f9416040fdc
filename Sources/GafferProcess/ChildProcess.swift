import Foundation

/// Starts a program the way a build needs it: its own process group (so a
/// timeout can end it and everything it started), a clean signal mask and
/// default signal handlers, exactly the environment given, and chosen pipes
/// as its file descriptors.
///
/// Not Foundation's `Process`: that passes on the spawning thread's signal
/// mask, and a thread of Swift's concurrency pool blocks SIGTERM, so a build
/// started from one could not be stopped politely.
public enum ChildProcess {
    public struct SpawnError: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// Starts `arguments[0]` (looked up in the environment's PATH) in `directory` (default: this
    /// process's); `descriptors` maps a child fd to a parent fd to put there. With `ownProcessGroup`
    /// the child leads a group of its own, which a timeout can end with everything it started.
    public static func spawn(
        _ arguments: [String],
        environment: [String: String],
        directory: String? = nil,
        descriptors: [Int32: Int32],
        ownProcessGroup: Bool = true
    ) throws -> pid_t {
        guard !arguments.isEmpty else { throw SpawnError(description: "no program to start") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (child, parent) in descriptors.sorted(by: { $0.key < $1.key }) {
            posix_spawn_file_actions_adddup2(&actions, parent, child)
        }
        if let directory { glibcAddChdir(&actions, directory) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (ownProcessGroup ? POSIX_SPAWN_SETPGROUP : 0)))
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw SpawnError(description: "cannot start \(arguments[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// A pipe whose ends are closed on exec, so only the descriptors handed to a child leak into it.
    /// Made close-on-exec at once (`pipe2`): set afterwards, a child another thread spawned in
    /// between would keep the pipe open.
    public static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard glibcPipe2(&fds, O_CLOEXEC) == 0 else {
            throw SpawnError(description: "cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        return (fds[0], fds[1])
    }
}

/// glibc's `pipe2(2)`, which Swift's Glibc module leaves out (it is declared only under _GNU_SOURCE).
@_silgen_name("pipe2")
private func glibcPipe2(_ descriptors: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32

/// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), also left out of Swift's Glibc module.
@_silgen_name("posix_spawn_file_actions_addchdir_np")
@discardableResult
private func glibcAddChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32
