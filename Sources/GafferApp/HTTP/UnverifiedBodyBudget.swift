import Synchronization

/// How many bytes of webhook bodies whose signature is not checked yet are held at once.
///
/// Anyone can send to the webhook path, and a body is read whole before its signature can be
/// checked, so without a bound a few hundred slow 25 MB uploads would fill the memory of a
/// service nobody has authenticated to. Bytes are reserved as they arrive; past the bound the
/// request is answered 503 with `Retry-After` (GitHub redelivers on request, and catch-up asks).
final class UnverifiedBodyBudget: Sendable {
    let limit: Int
    private let held = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes `count` bytes from the budget, or returns false (taking nothing) when they do not fit.
    func reserve(_ count: Int) -> Bool {
        var current = held.load(ordering: .relaxed)
        while true {
            guard current + count <= limit else { return false }
            let (exchanged, original) = held.compareExchange(expected: current, desired: current + count, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
    }

    func release(_ count: Int) {
        held.subtract(count, ordering: .acquiringAndReleasing)
    }

    var bytesHeld: Int { held.load(ordering: .relaxed) }
}
