import Foundation

/// What a build did: each phase, the exported variables, and why it failed.
public struct BuildResult: Sendable, Equatable {
    public enum Status: String, Sendable {
        case succeeded, failed
        case timedOut = "timed out"
        /// Cancelled: a `/cancel`, or a batch's fast-fail.
        case stopped
    }

    public var status: Status
    public var phases: [PhaseResult]
    /// `env.exported-variables` as they were at the end of post_build.
    public var exportedVariables: [String: String]
    /// Why the build failed, in a sentence (nil when it succeeded).
    public var reason: String?
    public var logPath: String
    /// The primary artifacts (`primary`) and each secondary set, collected whatever happened.
    public var artifacts: [CollectedArtifacts] = []
    public var reports: [TestReport] = []
}

public struct PhaseResult: Sendable, Equatable {
    public enum Status: String, Sendable {
        case succeeded, failed, skipped
    }

    public let name: PhaseName
    public var status: Status
    public var duration: Duration = .zero
    /// The command that failed, and its exit status.
    public var failedCommand: String?
    public var exitStatus: Int32?
    public var attempts = 0
}
