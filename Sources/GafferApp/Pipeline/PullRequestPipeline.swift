import Foundation
import GafferAgents
import GafferCore
import GafferGit
import GafferGitHub
import GafferMessages
import GafferPipeline
import Logging

/// Runs the pipeline of a pull request's head commit and reports it as the
/// `gaffer/pipeline` check run: in progress, then completed with the
/// conclusion, a summary, the masked log's tail and annotations at the file
/// and line of each lint finding and failed test.
///
/// Each stack's `infra/<stack>/buildspec.yml` in the commit runs, in a clean
/// checkout of exactly that commit, with the operator's build user and sandbox.
/// A commit that already has a completed run is not run again (a retried or
/// redelivered job); one with a run in progress continues it.
public struct PullRequestPipeline: Sendable {
    public static let checkName = "gaffer/pipeline"

    public let workspaces: GitWorkspaces
    public let runner: BuildRunner
    /// Where checkouts are made; each is removed when its run ends.
    public let workDirectory: URL
    public let timeout: Duration
    /// How often a running build looks whether its branch has moved on.
    public let supersededPoll: Duration
    /// checkov on the commit's stacks, when the operator named it.
    public var checkov: CheckovReview?
    /// Stops a running build when Gaffer is paused; its job runs it again after the resume.
    public var emergencyStop: EmergencyStop?
    /// Where each build's log is kept for the task's dashboard page; nil keeps none.
    public var taskLogs: TaskLogs?
    /// Explains a failed run on the pull request, as a suggestion; nil: failures are only reported.
    public var explanations: FailureExplanations?

    public init(workspaces: GitWorkspaces, runner: BuildRunner, workDirectory: URL, timeout: Duration, supersededPoll: Duration = .seconds(5)) {
        self.workspaces = workspaces
        self.runner = runner
        self.workDirectory = workDirectory
        self.timeout = timeout
        self.supersededPoll = supersededPoll
    }

    /// How a run ended: built to the end, stopped for a newer commit, or stopped by `/cancel`.
    enum Finish: Sendable {
        case built(Report)
        case superseded(String)
        case cancelled
        case paused(PauseState)
    }

    /// What the run came to.
    public enum Outcome: Sendable, Equatable {
        /// The commit already has a completed run.
        case alreadyReported(conclusion: String?)
        /// A newer commit is on the branch: this one is not run.
        case superseded(by: String)
        /// Someone cancelled it (`/cancel` marks the check run cancelled).
        case cancelled
        case completed(conclusion: String, annotations: Int)
    }

    /// Runs the pipeline for `sha` on `branch`; `rerun` makes a new run even when one completed. `base` is the
    /// pull request's base commit: only the stacks the pull request changes are built (all of them without it).
    public func run(
        branch: String,
        sha: String,
        base: String? = nil,
        cloneURL: String,
        in repository: RepositoryRef,
        github: GitHubConnection,
        rerun: Bool = false,
        logger: Logger
    ) async throws -> Outcome {
        if let pause = emergencyStop?.current { throw Paused(state: pause) }
        let client = try await github.gitHub()
        let existing = try await client.checkRuns(named: Self.checkName, for: sha, in: repository)
        if !rerun, let done = existing.first(where: { $0.status == "completed" }) {
            return .alreadyReported(conclusion: done.conclusion)
        }
        let check =
            if let running = existing.first(where: { $0.status != "completed" }) {
                running
            } else {
                try await client.createCheckRun(
                    name: Self.checkName,
                    headSha: sha,
                    status: "in_progress",
                    externalID: "gaffer-pipeline:\(branch)",
                    output: CheckRunOutput(title: "Running", summary: "Gaffer is running the pipeline of `\(sha.prefix(12))`."),
                    in: repository
                )
            }

        guard let commit = GitObjectID(hex: sha) else { throw PermanentJobFailure("\(sha) is not a commit name") }
        let folder = workDirectory.appendingPathComponent(UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let remote = try GitRemote(url: cloneURL, credentials: .token(try await client.gitToken(for: repository)))
        let (tips, changed) = try await workspaces.withWorkspace(for: remote, job: "pipeline-\(sha.prefix(12))") { workspace in
            let tips = try await workspace.checkout(commit, to: folder + "/source")
            return (tips, try await ChangedStacks.folders(base: base, head: commit, in: workspace))
        }
        if let tip = tips[branch], tip != commit {
            try await client.updateCheckRun(
                check.id,
                conclusion: "cancelled",
                output: CheckRunOutput(title: "Superseded", summary: "`\(tip.short)` is newer on `\(branch)`; its run reports instead."),
                in: repository
            )
            return .superseded(by: tip.hex)
        }

        // The build runs while the branch and the check are watched: a newer commit stops it (its own run
        // reports instead), and so does the check run being marked done by someone else (`/cancel`).
        let finish = await withTaskGroup(of: Finish?.self) { group -> Finish in
            group.addTask { .built(await build(source: folder + "/source", logs: folder, sha: sha, only: changed, logger: logger)) }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: supersededPoll)
                    guard !Task.isCancelled else { return nil }
                    if let tip = try? await client.ref("heads/\(branch)", in: repository)?.object.sha, tip != sha { return .superseded(tip) }
                    let runs = try? await client.checkRuns(named: Self.checkName, for: sha, in: repository)
                    if runs?.first(where: { $0.id == check.id })?.status == "completed" { return .cancelled }
                }
                return nil
            }
            if let stop = emergencyStop {
                group.addTask {
                    while !Task.isCancelled {
                        let generation = stop.changed.generation
                        if let pause = stop.current { return .paused(pause) }
                        await stop.changed.wait(since: generation, timeout: .seconds(1))
                    }
                    return nil
                }
            }
            var first: Finish?
            for await next in group {
                guard let next else { continue }
                if first == nil { first = next }
                group.cancelAll()
            }
            return first ?? .superseded("")
        }
        if case .cancelled = finish {
            logger.info("pipeline stopped: its check was cancelled", metadata: ["sha": "\(sha.prefix(12))"])
            return .cancelled
        }
        if case .paused(let pause) = finish {
            // The check stays in progress: the job is given back, and after the resume it runs the pipeline again.
            _ = try await client.updateCheckRun(
                check.id,
                output: CheckRunOutput(
                    title: "Paused",
                    summary: "Gaffer was paused by \(pause.by): \(pause.reason). This run was stopped, and runs again when Gaffer is resumed."
                ),
                in: repository
            )
            logger.notice("pipeline stopped: Gaffer is paused", metadata: ["sha": "\(sha.prefix(12))"])
            throw Paused(state: pause)
        }
        if case .built = finish, let taskLogs, let issue = TaskBranch.issue(in: branch) {
            for log in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where log.hasSuffix(".log") {
                try? taskLogs.save(
                    URL(fileURLWithPath: folder + "/" + log),
                    as: "pipeline-\(sha.prefix(12))-\(log.dropLast(4))",
                    repository: "\(repository.owner)/\(repository.name)",
                    issue: issue
                )
            }
        }
        guard case .built(let report) = finish else {
            let tip = if case .superseded(let tip) = finish { tip } else { "" }
            try await client.updateCheckRun(
                check.id,
                conclusion: "cancelled",
                output: CheckRunOutput(
                    title: "Superseded",
                    summary: "`\(tip.prefix(12))` is newer on `\(branch)`; this run was stopped and its run reports instead."
                ),
                in: repository
            )
            logger.info("pipeline stopped: a newer commit arrived", metadata: ["sha": "\(sha.prefix(12))", "newer": "\(tip.prefix(12))"])
            return .superseded(by: tip)
        }
        try await client.updateCheckRun(
            check.id,
            conclusion: report.conclusion,
            output: CheckRunOutput(
                title: report.title,
                summary: try github.comments.pipelineSummary(report.builds.map(\.summary)),
                text: report.logTail,
                annotations: report.annotations
            ),
            in: repository
        )
        logger.info("pipeline reported", metadata: ["sha": "\(sha.prefix(12))", "conclusion": "\(report.conclusion)"])
        if let explanations, report.conclusion != "neutral",
            let pull = try? await client.pullRequests(head: branch, in: repository).first(where: { $0.state == "open" })
        {
            let what = "The pull request's pipeline at commit \(sha.prefix(12))"
            if report.conclusion == "success" {
                // A suggestion about an earlier failure would mislead once the pipeline passes.
                await explanations.markOutdated(by: what, pullRequest: pull.number, in: repository, github: github, logger: logger)
            } else {
                let output =
                    report.builds.map { "\($0.summary.buildspec): \($0.summary.status): \($0.summary.detail)" }
                    + report.annotations.prefix(20).map { "\($0.path):\($0.startLine): \($0.title ?? ""): \($0.message)" }
                    + [report.logTail ?? ""]
                await explanations.explain(
                    what,
                    output: output.joined(separator: "\n"),
                    pullRequest: pull.number,
                    issue: TaskBranch.issue(in: branch) ?? pull.number,
                    purpose: "explain-pipeline",
                    in: repository,
                    github: github,
                    logger: logger
                )
            }
        }
        return .completed(conclusion: report.conclusion, annotations: report.annotations.count)
    }

    // MARK: - The builds

    struct Report: Sendable {
        struct Build: Sendable {
            var summary: PipelineBuildSummary
        }

        var builds: [Build]
        var annotations: [CheckRunAnnotation]
        var logTail: String?

        var conclusion: String {
            if builds.isEmpty { return "neutral" }
            return builds.allSatisfy { $0.summary.succeeded } ? "success" : "failure"
        }

        var title: String {
            if builds.isEmpty { return "No buildspec" }
            let failed = builds.filter { !$0.summary.succeeded }.count
            return failed == 0 ? "Passed" : "\(failed) of \(builds.count) failed"
        }
    }

    /// Runs each stack's buildspec in `source`; never throws, so the check run always completes.
    /// Builds each stack's buildspec (`only` these stacks, when given).
    func build(source: String, logs: String, sha: String, only: Set<String>? = nil, logger: Logger) async -> Report {
        let infra = source + "/infra"
        let stacks = ((try? FileManager.default.contentsOfDirectory(atPath: infra)) ?? []).sorted().filter { only?.contains($0) ?? true }
        var report = Report(builds: [], annotations: [], logTail: nil)
        var tails: [String] = []
        for stack in stacks {
            let relative = "infra/\(stack)/buildspec.yml"
            guard FileManager.default.fileExists(atPath: source + "/" + relative) else { continue }
            let buildspec: Buildspec
            do {
                buildspec = try BuildspecLoader.load(path: source + "/" + relative, name: relative)
            } catch {
                report.builds.append(
                    Report.Build(
                        summary: PipelineBuildSummary(
                            buildspec: relative,
                            succeeded: false,
                            status: "refused",
                            detail: "the buildspec has problems, annotated on its lines"
                        )
                    )
                )
                report.annotations += error.problems.map {
                    CheckRunAnnotation(path: relative, startLine: $0.line, level: "failure", message: $0.message, title: "buildspec")
                }
                continue
            }
            var request = BuildRunner.Request(buildspec: buildspec, sourceDirectory: source, logPath: "\(logs)/\(stack).log")
            request.resolvedSourceVersion = sha
            request.sourceVersion = sha
            request.timeout = timeout
            let result: BuildResult
            do {
                result = await runner.run(request, log: try BuildLog(path: request.logPath))
            } catch {
                report.builds.append(
                    Report.Build(summary: PipelineBuildSummary(buildspec: relative, succeeded: false, status: "not run", detail: "\(error)"))
                )
                continue
            }
            let log = (try? String(contentsOfFile: result.logPath, encoding: .utf8)) ?? ""
            report.annotations += CfnLintFindings.annotations(in: log)
            for test in result.reports {
                report.annotations += test.failures.compactMap { failure in
                    failure.file.map {
                        CheckRunAnnotation(path: $0, startLine: failure.line ?? 1, level: "failure", message: failure.message, title: failure.name)
                    }
                }
            }
            let failedPhase = result.phases.first { $0.status != .succeeded }
            // What a reviewer wants to know first: how many of the application's own tests ran and passed.
            let tests = result.reports.filter { $0.parsed && $0.tests > 0 }.map { test in
                "\(test.tests - test.failed - test.errors - test.skipped) of \(test.tests) tests passed"
                    + (test.failed + test.errors > 0 ? ", \(test.failed + test.errors) failed" : "")
                    + (test.skipped > 0 ? ", \(test.skipped) skipped" : "")
            }
            let outcome = result.reason ?? failedPhase.map { "\($0.name.rawValue) \($0.status.rawValue)" } ?? "every phase succeeded"
            report.builds.append(
                Report.Build(
                    summary: PipelineBuildSummary(
                        buildspec: relative,
                        succeeded: result.status == .succeeded,
                        status: result.status.rawValue,
                        detail: ([outcome] + tests).joined(separator: "; ")
                    )
                )
            )
            tails.append("== \(relative) ==\n" + log.split(separator: "\n", omittingEmptySubsequences: false).suffix(60).joined(separator: "\n"))
            logger.debug("build finished", metadata: ["buildspec": "\(relative)", "status": "\(result.status.rawValue)"])
        }
        report.annotations += SecurityAnnotations.annotations(ofTemplatesIn: source, stacks: stacks)
        if let checkov { report.annotations += await checkov.annotations(source: source, stacks: stacks) }
        if !tails.isEmpty {
            // GitHub takes at most 65,535 characters; the end of the log is what explains a failure.
            report.logTail = "```\n" + String(tails.joined(separator: "\n\n").suffix(60_000)) + "\n```"
        }
        return report
    }
}

/// cfn-lint's `--format parseable` lines (`file:line:column:endline:endcolumn:rule:message`) as annotations.
enum CfnLintFindings {
    static func annotations(in log: String) -> [CheckRunAnnotation] {
        log.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", maxSplits: 6, omittingEmptySubsequences: false)
            guard fields.count == 7, let start = Int(fields[1]), let end = Int(fields[3]), let rule = fields[5].first,
                "EWI".contains(rule), fields[5].dropFirst().allSatisfy(\.isNumber), !fields[5].dropFirst().isEmpty
            else { return nil }
            // The log prefixes each line with the time; the path starts after the last space.
            let path = fields[0].split(separator: " ").last.map(String.init) ?? String(fields[0])
            let level = rule == "E" ? "failure" : rule == "W" ? "warning" : "notice"
            return CheckRunAnnotation(
                path: path,
                startLine: start,
                endLine: max(start, end),
                level: level,
                message: String(fields[6]),
                title: "cfn-lint \(fields[5])"
            )
        }
    }
}

/// The security agent's rules, run again on the templates of the commit (a person may have changed
/// them since Gaffer wrote them): each finding at its file and line. They do not fail the check;
/// what needs an approval is decided on the plan.
enum SecurityAnnotations {
    static func annotations(ofTemplatesIn source: String, stacks: [String]) -> [CheckRunAnnotation] {
        var findings: [Finding] = []
        for stack in stacks {
            let folder = "infra/\(stack)"
            for file in ((try? FileManager.default.contentsOfDirectory(atPath: source + "/" + folder)) ?? []).sorted()
            where StackNaming.isTemplatePath("\(folder)/\(file)") {
                guard let contents = FileManager.default.contents(atPath: "\(source)/\(folder)/\(file)") else { continue }
                var template = FileSet()
                template.write("\(folder)/\(file)", contents)
                // A template that is not CloudFormation cannot be reviewed; cfn-lint says why, at its line.
                findings += (try? SecurityAgent().review(template, task: AwsTask(kind: .update, resource: nil)).all) ?? []
            }
        }
        return findings.map { finding in
            CheckRunAnnotation(
                path: finding.file,
                startLine: finding.line,
                level: finding.severity >= .high ? "warning" : "notice",
                message: "\(finding.message)\nFix: \(finding.fix)",
                title: "security \(finding.rule) (\(finding.severity.rawValue))"
            )
        }
    }
}
