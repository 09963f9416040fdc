import Foundation
import GafferCore
import GafferStore
import Synchronization

/// The emergency stop of one Gaffer process, kept in the store so that it survives a restart and
/// a pause made elsewhere (`gaffer pause`, another process) is seen within a second.
///
/// Work the stop may interrupt runs through `stoppable`: pipelines and agent steps. Pausing
/// cancels them at once; they throw `Paused`, and the worker gives their job back to the queue
/// without counting the attempt, so it runs again after `resume`. An apply is not stoppable: a
/// stack operation AWS is running is followed to its end, because one stopped half-way is worse.
public final class EmergencyStop: Sendable {
    private struct State {
        var current: PauseState?
        var running: [UUID: @Sendable () -> Void] = [:]
    }

    private let store: any PauseStore
    private let state = Mutex(State())
    /// Signalled on every pause and resume: the workers wait on it while paused.
    public let changed = WakeSignal()

    public init(store: any PauseStore) {
        self.store = store
    }

    public var current: PauseState? { state.withLock { $0.current } }

    /// How many stoppable pieces of work are running now.
    public var stoppableRunning: Int { state.withLock { $0.running.count } }

    /// Pauses Gaffer, durably, and stops what may be stopped. Pausing again keeps the first pause.
    @discardableResult
    public func pause(by: String, reason: String, at: Date) async throws -> PauseState {
        if let current { return current }
        let pause = PauseState(by: by, reason: reason, at: at)
        try await store.setPause(pause)
        apply(pause)
        return pause
    }

    public func resume() async throws {
        try await store.setPause(nil)
        apply(nil)
    }

    /// Follows the store: a pause or resume made by another process.
    public func refresh() async throws {
        apply(try await store.pauseState())
    }

    private func apply(_ pause: PauseState?) {
        let (changed, stops) = state.withLock { state -> (Bool, [@Sendable () -> Void]) in
            guard state.current != pause else { return (false, []) }
            state.current = pause
            return (true, pause == nil ? [] : Array(state.running.values))
        }
        for stop in stops { stop() }
        if changed { self.changed.signal() }
    }

    /// Runs `work` so that a pause stops it: it throws `Paused` when Gaffer is paused before it
    /// starts or while it runs.
    public func stoppable<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if let current { throw Paused(state: current) }
        let task = Task { try await work() }
        let id = UUID()
        state.withLock { $0.running[id] = { task.cancel() } }
        defer { _ = state.withLock { $0.running.removeValue(forKey: id) } }
        // Paused between the check and the registration: nothing cancelled it yet.
        if current != nil { task.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                task.cancel()
            }
        } catch {
            if let current, !Task.isCancelled { throw Paused(state: current) }
            throw error
        }
    }
}

/// Work stopped (or not started) because Gaffer is paused; its job goes back to the queue.
public struct Paused: Error, CustomStringConvertible {
    public let state: PauseState

    public var description: String {
        "Gaffer is paused (by \(state.by) at \(ISO8601DateFormatter().string(from: state.at)): \(state.reason)); this runs again after it is resumed"
    }
}
