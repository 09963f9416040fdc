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

extension BuildResult {
    /// The result with every secret the log masks replaced: what a build prints (exported
    /// variables, test failures, the failed command) is shown and stored outside the log too.
    func masked(by log: BuildLog) -> BuildResult {
        var result = self
        result.exportedVariables = exportedVariables.mapValues(log.masked)
        result.reason = reason.map(log.masked)
        for index in result.phases.indices {
            result.phases[index].failedCommand = result.phases[index].failedCommand.map(log.masked)
        }
        for index in result.reports.indices {
            result.reports[index].problems = result.reports[index].problems.map(log.masked)
            result.reports[index].failures = result.reports[index].failures.map { $0.masked(by: log) }
        }
        return result
    }
}
