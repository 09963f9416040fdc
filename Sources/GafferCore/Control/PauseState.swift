import Foundation

/// The emergency stop: who paused Gaffer, when and why. While it is set no job is claimed, running
/// pipelines and agent steps are stopped (their jobs go back to the queue), and `/apply` and
/// `/destroy` are refused. A stack operation already running in AWS is left to finish.
public struct PauseState: Sendable, Hashable, Codable {
    public var by: String
    public var reason: String
    public var at: Date

    public init(by: String, reason: String, at: Date) {
        self.by = by
        self.reason = reason
        self.at = at
    }
}

/// Where the pause is kept, so it outlives a restart and every process of the installation sees it.
public protocol PauseStore: Sendable {
    /// The pause in force, or nil.
    func pauseState() async throws -> PauseState?
    /// Pauses (a state) or resumes (nil); a resume makes the jobs the pause parked runnable again.
    func setPause(_ state: PauseState?) async throws
}
