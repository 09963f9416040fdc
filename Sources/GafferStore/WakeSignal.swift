import Foundation
import Synchronization

/// Wakes tasks waiting for work. A waiter sleeps until a signal or its
/// timeout, whichever comes first; a signal with nobody waiting is kept as
/// a generation number so a waiter that checked just before cannot miss it.
///
/// A signal wakes only as many sleepers as there is new work for: waking
/// every idle worker for one job would have all of them race to claim it.
public final class WakeSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// The current generation; pass it to `wait` to learn of any signal since.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Wakes up to `count` sleepers (all of them by default).
    public func signal(waking count: Int = .max) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            let keys = state.waiters.keys.prefix(count)
            return keys.compactMap { state.waiters.removeValue(forKey: $0) }
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns at the first signal after `generation`, after `timeout`, or on cancellation.
    public func wait(since generation: UInt64, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitForSignal(since: generation) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal(since generation: UInt64) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.generation != generation || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
