import Foundation
import GafferCore
import GafferGit
import GafferGitHub

/// What plans and applies need: where they are kept, CloudFormation, git checkouts of the
/// pull request's commit, the task parser and the operator's settings.
public struct ChangeWork: Sendable {
    public let store: any ChangeStore & PlanStore & KnowledgeStore
    public let stacks: any StackOperations
    public let workspaces: GitWorkspaces
    public let parser: IssueParser
    public let settings: ChangeSettings
    /// Which of `settings`' keys a repository's `.gaffer.yml` may set.
    public let repositoryOverrides: Set<String>
    /// The region of a task that names none.
    public let defaultRegion: String
    /// Where checkouts for plans are made; each is removed when the plan is made.
    public let workDirectory: URL
    public let clock: any WallClock
    /// The writes outside CloudFormation (an approved savings proposal, a restart autonomy allows); nil: none are made.
    public var actions: (any ResourceActions)?
    /// The emergency stop: while it is on, `/apply` and `/destroy` are refused.
    public var emergencyStop: EmergencyStop?
    /// Explains a failed apply on the pull request, as a suggestion; nil: failures are only reported.
    public var explanations: FailureExplanations?

    /// - Parameters:
    ///   - store: change plans, decisions, locks, the registry, the coordinator's plans and the knowledge base.
    ///   - stacks: CloudFormation, per account and region.
    ///   - workspaces: git, to read the templates of exactly the commit planned.
    public init(
        store: any ChangeStore & PlanStore & KnowledgeStore,
        stacks: any StackOperations,
        workspaces: GitWorkspaces,
        parser: IssueParser,
        settings: ChangeSettings,
        repositoryOverrides: Set<String> = [],
        defaultRegion: String,
        workDirectory: URL,
        clock: any WallClock = SystemWallClock()
    ) {
        self.store = store
        self.stacks = stacks
        self.workspaces = workspaces
        self.parser = parser
        self.settings = settings
        self.repositoryOverrides = repositoryOverrides
        self.defaultRegion = defaultRegion
        self.workDirectory = workDirectory
        self.clock = clock
    }

    /// The settings for a task's repository: the server's, with what its `.gaffer.yml` on the default branch sets
    /// of the keys the operator allows; and what is wrong in that file, each as a sentence.
    func settings(for target: TaskTarget, client: GitHubClient) async throws -> (ChangeSettings, problems: [String]) {
        guard !repositoryOverrides.isEmpty,
            let text = try await client.fileText(".gaffer.yml", ref: target.pullRequest?.base.ref, in: target.repository)
        else { return (settings, []) }
        var configuration = GafferConfiguration()
        configuration.changes = settings
        let problems = ConfigurationLoader.applyRepositoryFile(text, allowed: repositoryOverrides, to: &configuration)
        return (configuration.changes, problems.map(\.description))
    }
}
