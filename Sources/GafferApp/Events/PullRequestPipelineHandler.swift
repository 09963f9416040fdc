import GafferCore
import GafferGitHub
import Logging

/// Runs the pipeline on each new head commit of a pull request from one of
/// Gaffer's branches (opened, pushed to, reopened), and again when a person
/// asks for it from the check run (`rerequested`). A fork's pull request is
/// never run: its code would run with Gaffer's build user and tokens.
public struct PullRequestPipelineHandler: WebhookEventHandler {
    public let name = "pull-request-pipeline"
    public let subscriptions = [
        EventSubscription("pull_request", actions: ["opened", "synchronize", "reopened"]),
        EventSubscription("check_run", actions: ["rerequested"]),
    ]
    public let github: GitHubConnection
    public let pipeline: PullRequestPipeline
    /// Plans after a green run when `autoplan` is on.
    public let work: ChangeWork?

    public init(github: GitHubConnection, pipeline: PullRequestPipeline, work: ChangeWork? = nil) {
        self.github = github
        self.pipeline = pipeline
        self.work = work
    }

    public func handle(_ event: WebhookEvent, context: EventContext) async throws {
        let run: (branch: String, sha: String, base: String?, repository: GitHubRepository, installation: Int64?, rerun: Bool)
        switch event {
        case .pullRequest(let event):
            let pull = event.pullRequest
            guard pull.state == "open", TaskBranch.issue(in: pull.head.ref) != nil else { return }
            guard pull.head.repo?.fullName == event.repository.fullName else {
                context.logger.notice("a fork's pull request is not run", metadata: ["pull_request": "\(pull.number)"])
                return
            }
            run = (pull.head.ref, pull.head.sha, pull.base.sha, event.repository, event.installation?.id, false)
        case .checkRun(let event):
            let prefix = "gaffer-pipeline:"
            guard event.checkRun.name == PullRequestPipeline.checkName, let external = event.checkRun.externalId, external.hasPrefix(prefix)
            else { return }
            run = (String(external.dropFirst(prefix.count)), event.checkRun.headSha, nil, event.repository, event.installation?.id, true)
        default:
            return
        }
        guard let repository = RepositoryRef(fullName: run.repository.fullName, installation: run.installation),
            let cloneURL = run.repository.cloneUrl
        else {
            throw PermanentJobFailure("the delivery names no repository Gaffer can fetch")
        }
        // A re-run names no pull request: its base is the open pull request's of the branch.
        var base = run.base
        if base == nil {
            base = try await github.gitHub().pullRequests(head: run.branch, in: repository).first { $0.state == "open" }?.base.sha
        }
        let outcome = try await pipeline.run(
            branch: run.branch,
            sha: run.sha,
            base: base,
            cloneURL: cloneURL,
            in: repository,
            github: github,
            rerun: run.rerun,
            logger: context.logger
        )
        context.logger.info("pipeline", metadata: ["sha": "\(run.sha.prefix(12))", "outcome": "\(outcome)"])
        // A run reported by an earlier attempt of this job (its worker died) plans too: the planner finds what that attempt made.
        let passed: Bool =
            switch outcome {
            case .completed(let conclusion, _): ["success", "neutral"].contains(conclusion)
            case .alreadyReported(let conclusion): ["success", "neutral"].contains(conclusion ?? "")
            case .superseded, .cancelled: false
            }
        if let work, work.settings.autoplan || work.repositoryOverrides.contains("autoplan"), passed, let issue = TaskBranch.issue(in: run.branch) {
            try await Autoplan(work: work, github: github).plan(
                branch: run.branch,
                sha: run.sha,
                issue: issue,
                repository: repository,
                gitHubRepository: run.repository,
                logger: context.logger
            )
        }
    }
}
