import GafferCore
import GafferGitHub
import Logging

/// What a command runner is given: the command, who wrote it, the task it is about, and Gaffer's means.
public struct CommandContext: Sendable {
    public var command: Command
    /// The issue or pull request the comment was written on.
    public var commentedOn: Int
    public var actor: AuthorizationPolicy.Actor
    public var target: TaskTarget
    public var github: GitHubConnection
    public var client: GitHubClient
    public var work: ChangeWork
    public var policy: AuthorizationPolicy
    public var logger: Logger
    /// Plans the task again from its issue (for `/retry` when no pull request was opened); nil without intake.
    public var retakeTask: (@Sendable () async throws -> Void)?
    /// Takes up the task a model read from the issue, as its status states it (`/plan` confirms it); false when
    /// the status holds no such reading. Nil without intake.
    public var confirmInferredTask: (@Sendable () async throws -> Bool)?
    /// The reports, for `/approve` of a cost report's savings proposal; nil without them.
    public var reports: ReportWork?
    /// Opens (or finds, by its marker) an issue that changes a task, and takes it up; nil without intake.
    public var offerTask: (@Sendable (_ title: String, _ body: String, _ marker: String) async throws -> (number: Int, created: Bool))?
}

/// What came of a command: the text of its answer (in the comment's one reply), and whether it was refused.
public struct CommandOutcome: Sendable, Equatable {
    public var text: String?
    public var refused: Bool

    public static func answered(_ text: String?) -> CommandOutcome { CommandOutcome(text: text, refused: false) }
    public static func refused(_ text: String) -> CommandOutcome { CommandOutcome(text: text, refused: true) }
}

/// Runs one slash-command.
public protocol CommandRunner: Sendable {
    var name: CommandName { get }
    func run(_ context: CommandContext) async throws -> CommandOutcome
}

/// Every command's runner, keyed by the command; made at start-up, where a command without a runner is an error.
public struct CommandRunners: Sendable {
    private let byName: [CommandName: any CommandRunner]

    public struct MissingRunner: Error, CustomStringConvertible {
        public let command: CommandName
        public var description: String { "the command /\(command.rawValue) has no runner in CommandRunners.standard" }
    }

    public init(_ runners: [any CommandRunner]) throws(MissingRunner) {
        var byName: [CommandName: any CommandRunner] = [:]
        for runner in runners { byName[runner.name] = runner }
        if let gap = CommandName.allCases.first(where: { byName[$0] == nil }) { throw MissingRunner(command: gap) }
        self.byName = byName
    }

    public func runner(_ name: CommandName) -> any CommandRunner {
        // Complete by construction: the initialiser refused a registry with a gap.
        byName[name] ?? HelpCommandRunner()
    }

    /// The runners Gaffer ships, one per command.
    public static func standard() throws(MissingRunner) -> CommandRunners {
        try CommandRunners([
            PlanCommandRunner(), ApplyCommandRunner(), DecisionCommandRunner(name: .approve), DecisionCommandRunner(name: .deny),
            RetryCommandRunner(), CancelCommandRunner(), StatusCommandRunner(), HelpCommandRunner(), UnlockCommandRunner(),
            DestroyCommandRunner(),
        ])
    }
}

/// `/help`: the commands, from their specs.
struct HelpCommandRunner: CommandRunner {
    let name = CommandName.help

    func run(_ context: CommandContext) async throws -> CommandOutcome {
        .answered(try context.github.comments.help(botLogin: try await context.github.login()))
    }
}
