import GafferCore
import Testing

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(baseDelay: .seconds(2), maxDelay: .seconds(60))

    @Test func theCeilingDoublesEachAttemptUpToTheCap() {
        #expect(policy.ceiling(afterAttempt: 1) == .seconds(2))
        #expect(policy.ceiling(afterAttempt: 2) == .seconds(4))
        #expect(policy.ceiling(afterAttempt: 5) == .seconds(32))
        #expect(policy.ceiling(afterAttempt: 6) == .seconds(60))
        #expect(policy.ceiling(afterAttempt: 1000) == .seconds(60))
    }

    @Test func delaysAreJitteredBetweenHalfTheCeilingAndTheCeiling() {
        var seen = Set<Duration>()
        for attempt in 1...8 {
            for _ in 0..<50 {
                let delay = policy.delay(afterAttempt: attempt)
                let ceiling = policy.ceiling(afterAttempt: attempt)
                #expect(delay <= ceiling)
                #expect(delay >= ceiling / 2)
                seen.insert(delay)
            }
        }
        // Jitter: the same attempt does not always wait the same time.
        #expect(seen.count > 100)
    }
}
