/// Waits before a retry. Tests pass one that records the waits and returns at
/// once, so `retry-after` is checked without sleeping.
public protocol RetryWaiter: Sendable {
    func wait(_ duration: Duration) async throws
}

public struct TaskSleepWaiter: RetryWaiter {
    public init() {}
    public func wait(_ duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}
