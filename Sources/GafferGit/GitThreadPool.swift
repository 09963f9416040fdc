import Foundation

/// Threads of Gaffer's own for libgit2's blocking calls.
///
/// libgit2 blocks on disk and network; running it on Swift's cooperative pool
/// would stall every other task while a push waits on a slow server. Each call
/// runs start to finish on one of these threads, so libgit2's per-thread error
/// is read on the thread that set it.
public final class GitThreadPool: @unchecked Sendable {
    // @unchecked: `pending` and `stopped` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var pending: [@Sendable () -> Void] = []
    private var stopped = false
    public let threadCount: Int

    /// One pool for the process, with a thread per core (at least two).
    public static let shared = GitThreadPool(threads: max(2, ProcessInfo.processInfo.activeProcessorCount))

    public init(threads: Int) {
        threadCount = max(1, threads)
        for index in 0..<threadCount {
            let thread = Thread { [self] in work() }
            thread.name = "gaffer-git-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on a pool thread and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let accepted = enqueue {
                continuation.resume(with: Result { try body() })
            }
            if !accepted {
                continuation.resume(throwing: CancellationError())
            }
        }
    }

    /// Lets the threads finish what is queued and end; later `run` calls throw `CancellationError`.
    public func shutdown() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func enqueue(_ work: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopped else { return false }
        pending.append(work)
        condition.signal()
        return true
    }

    private func work() {
        while true {
            condition.lock()
            while pending.isEmpty && !stopped {
                condition.wait()
            }
            if pending.isEmpty {
                condition.unlock()
                return
            }
            let next = pending.removeFirst()
            condition.unlock()
            next()
        }
    }
}
