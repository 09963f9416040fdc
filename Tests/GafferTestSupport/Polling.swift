import Foundation

/// Waits until `condition` holds, checking every `interval`, or throws when
/// `timeout` passes: tests wait for what they expect, never for a fixed time. The default is long because a
/// waited-for condition that holds costs nothing more, and a `.ci/run` under the whole suite outran 30 s.
public func waitUntil(
    timeout: Duration = .seconds(90),
    interval: Duration = .milliseconds(20),
    _ what: String = "condition",
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: interval)
    }
    if try await condition() { return }
    throw TimedOut(what: what, timeout: timeout)
}

public struct TimedOut: Error, CustomStringConvertible {
    public var what: String
    public var timeout: Duration
    public var description: String { "timed out after \(timeout) waiting for \(what)" }
}
