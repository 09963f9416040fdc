import Foundation
import GafferAgents
import GafferCore
import GafferGit
import GafferGitHub
import Logging

/// Turns a task that changes something into a pull request: plans it with the
/// coordinator, commits the agents' files to the issue's branch, pushes with the
/// installation's token, and opens or updates the one pull request of that branch.
/// Every step is found again rather than redone, so a job that runs twice leaves
/// one branch, one commit for the same files, one pull request and one status comment.
public struct TaskPublisher: Sendable {
    public let coordinator: Coordinator
    public let workspaces: GitWorkspaces
    /// Stops the agents' steps when Gaffer is paused.
    public var emergencyStop: EmergencyStop?

    /// What became of the task.
    public enum Outcome: Sendable, Equatable {
        case waiting(for: [Int])
        case planStopped
        case published(pullRequest: Int, commit: String, created: Bool)
    }

    /// The issue a task came from, as the job read it.
    public struct Source: Sendable {
        public var number: Int
        public var author: GitHubUser
        /// The issue's `updated_at`, so an older job's status never replaces a newer one's.
        public var version: String?
        /// Kept below every status written for the task: a confirmed model reading's form, for a later `/retry`.
        public var statusNote: String

        public init(number: Int, author: GitHubUser, version: String?, statusNote: String = "") {
            self.number = number
            self.author = author
            self.version = version
            self.statusNote = statusNote
        }
    }

    public init(coordinator: Coordinator, workspaces: GitWorkspaces) {
        self.coordinator = coordinator
        self.workspaces = workspaces
    }

    public func publish(
        _ task: AwsTask,
        from issue: Source,
        in repository: GitHubRepository,
        installation: Int64?,
        github: GitHubConnection,
        logger: Logger
    ) async throws -> Outcome {
        guard let ref = RepositoryRef(fullName: repository.fullName, installation: installation) else {
            throw PermanentJobFailure("the repository name \(repository.fullName) is not OWNER/NAME")
        }
        let client = try await github.gitHub()

        var open: [Int] = []
        for dependency in task.dependsOn where try await client.issue(dependency, in: ref).state == "open" {
            open.append(dependency)
        }
        if !open.isEmpty {
            try await github.writeStatus(
                try github.comments.taskWaiting(for: open) + issue.statusNote,
                version: issue.version,
                issue: issue.number,
                in: ref
            )
            logger.info("task waits for open issues", metadata: ["waiting_for": "\(open)"])
            return .waiting(for: open)
        }

        guard let cloneURL = repository.cloneUrl else {
            throw PermanentJobFailure("the delivery's repository has no clone_url to push to")
        }
        let base = repository.defaultBranch ?? "main"
        let branch = TaskBranch.name(issue: issue.number, task: task)
        let makeRemote = { try GitRemote(url: cloneURL, credentials: .token(try await client.gitToken(for: ref))) }
        // Code a model writes goes on from what the branch holds (an unfinished step's work, or a person's commits),
        // unless the blueprint changed since: the branch's copies of its files would then be out of date.
        let previous = try await coordinator.store.latestPlan(repository: repository.fullName, issue: issue.number)?.task
        let earlierWork =
            Self.goesOnFromTheBranch(previous: previous, current: task)
            ? try await branchFiles(branch, from: base, under: StackNaming(task: task).folder, remote: try await makeRemote(), issue: issue.number)
            : nil

        // The agents' steps stop when Gaffer is paused; the job runs them again after the resume.
        let (coordinator, name) = (self.coordinator, repository.fullName)
        let plan =
            if let emergencyStop {
                try await emergencyStop.stoppable { try await coordinator.plan(task, repository: name, earlierWork: earlierWork) }
            } else {
                try await coordinator.plan(task, repository: name, earlierWork: earlierWork)
            }
        let requester = try GitIdentity.gitHubUser(login: issue.author.login, id: issue.author.id)
        if plan.unfinishedStep != nil {
            // Unproven code goes to the branch for people to read and for /retry to go on from, never into a pull request.
            let pushed = try await push(
                plan.filesSoFar,
                to: branch,
                from: base,
                remote: try await makeRemote(),
                message:
                    "Unfinished: \(github.comments.pullRequestTitle(task, issue: issue.number))\n\nWritten by Gaffer for #\(issue.number); its tests do not pass yet.",
                coAuthors: [requester],
                issue: issue.number
            )
            try await github.writeStatus(
                try github.comments.taskUnfinished(plan, branch: branch, commit: pushed.pushed.description) + issue.statusNote,
                version: issue.version,
                issue: issue.number,
                in: ref
            )
            logger.info("plan unfinished; its work is on the branch", metadata: ["plan": "\(plan.id)", "branch": "\(branch)"])
            return .planStopped
        }
        guard plan.state == .ready else {
            // An earlier plan's pull request stays as it is, and the status says so.
            let earlier = try await client.pullRequests(head: TaskBranch.name(issue: issue.number, task: task), in: ref).first { $0.state == "open" }
            try await github.writeStatus(
                try github.comments.planFailed(plan, pullRequest: earlier?.number) + issue.statusNote,
                version: issue.version,
                issue: issue.number,
                in: ref
            )
            logger.info("plan stopped; no pull request", metadata: ["plan": "\(plan.id)", "state": "\(plan.state.rawValue)"])
            return .planStopped
        }

        let pushed = try await push(
            plan.files,
            to: branch,
            from: base,
            remote: try await makeRemote(),
            message: "\(github.comments.pullRequestTitle(task, issue: issue.number))\n\nPlanned by Gaffer for #\(issue.number).",
            coAuthors: [requester],
            issue: issue.number
        )

        let title = github.comments.pullRequestTitle(task, issue: issue.number)
        let body = try github.comments.pullRequestBody(plan, issue: issue.number)
        let existing = try await client.pullRequests(head: branch, in: ref).first { $0.state == "open" }
        let pull: PullRequestDetails
        if let existing {
            pull =
                existing.title == title && existing.body == body
                ? existing : try await client.updatePullRequest(existing.number, title: title, body: body, in: ref)
        } else {
            do {
                pull = try await client.createPullRequest(title: title, head: branch, base: base, body: body, in: ref)
            } catch let error as GitHubAPIError where error.status == 422 {
                // Another job for this issue opened it a moment ago ("a pull request already exists"): use that one.
                guard let opened = try await client.pullRequests(head: branch, in: ref).first(where: { $0.state == "open" }) else { throw error }
                pull = try await client.updatePullRequest(opened.number, title: title, body: body, in: ref)
            }
        }
        try await github.writeStatus(
            try github.comments.taskPlanned(plan, pullRequest: pull.number, branch: branch, commit: pushed.pushed.description) + issue.statusNote,
            version: issue.version,
            issue: issue.number,
            in: ref
        )
        logger.info(
            "task published",
            metadata: ["pull_request": "\(pull.number)", "branch": "\(branch)", "commit": "\(pushed.pushed)", "changed": "\(pushed.changed)"]
        )
        return .published(pullRequest: pull.number, commit: pushed.pushed.description, created: existing == nil)
    }

    /// Whether the code step starts from the branch: the task asks for code, and its last plan was for the same
    /// blueprint (the same resource and settings; only `behaviour` may differ).
    static func goesOnFromTheBranch(previous: AwsTask?, current: AwsTask) -> Bool {
        guard current.parameters[PlanRules.behaviourKey] != nil, let previous else { return false }
        var before = previous.parameters
        var now = current.parameters
        before[PlanRules.behaviourKey] = nil
        now[PlanRules.behaviourKey] = nil
        return previous.resource == current.resource && before == now
    }

    /// Commits `files` on the branch's tip when it exists (a person's commits on Gaffer's branch are kept), and pushes.
    private func push(
        _ files: FileSet,
        to branch: String,
        from base: String,
        remote: GitRemote,
        message: String,
        coAuthors: [GitIdentity],
        issue: Int
    ) async throws -> PushOutcome {
        try await workspaces.withWorkspace(for: remote, job: "issue-\(issue)") { workspace in
            _ = try await workspace.prepareBranch(branch, from: base, start: .existingBranch)
            try await workspace.apply(files)
            _ = try await workspace.commit(message: message, coAuthors: coAuthors)
            return try await workspace.push(.forceWithLease)
        }
    }

    /// The files under `folder` on the branch's tip, or nil when there is no such branch yet.
    private func branchFiles(_ branch: String, from base: String, under folder: String, remote: GitRemote, issue: Int) async throws -> FileSet? {
        try await workspaces.withWorkspace(for: remote, job: "issue-\(issue)-read") { workspace in
            guard let tip = try await workspace.prepareBranch(branch, from: base, start: .existingBranch).remoteTip else { return nil }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gaffer-branch-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            try await workspace.checkout(tip, to: directory.path)
            var files = FileSet()
            let root = directory.appendingPathComponent(folder)
            for relative in ((try? FileManager.default.subpathsOfDirectory(atPath: root.path)) ?? []).sorted() {
                let url = root.appendingPathComponent(relative)
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
                files.write("\(folder)/\(relative)", try Data(contentsOf: url))
            }
            return files
        }
    }
}
