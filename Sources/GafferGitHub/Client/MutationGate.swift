import Foundation
import GafferCore

/// Lets mutating requests for one installation through one at a time, with at
/// least `minimumGap` between the end of one and the start of the next, as
/// GitHub's best practices ask. Waiters go through in the order they came.
actor MutationGate {
    private let minimumGap: Duration
    private let waiter: any RetryWaiter
    private var busy = false
    private var queue: [CheckedContinuation<Void, Never>] = []
    private var lastFinished: ContinuousClock.Instant?

    init(minimumGap: Duration, waiter: any RetryWaiter) {
        self.minimumGap = minimumGap
        self.waiter = waiter
    }

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { queue.append($0) }
        } else {
            busy = true
        }
        defer { release() }
        if let lastFinished, minimumGap > .zero {
            let since = ContinuousClock.now - lastFinished
            if since < minimumGap { try await waiter.wait(minimumGap - since) }
        }
        return try await body()
    }

    private func release() {
        lastFinished = .now
        if queue.isEmpty {
            busy = false
        } else {
            queue.removeFirst().resume()
        }
    }
}
