import GafferCore
import GafferModels

/// The handlers Gaffer registers, one per event it acts on.
public enum StandardEventHandlers {
    /// `github` is where answers are written; without it they are only logged. `publisher` turns tasks
    /// into pull requests, and `pipeline` checks them; without them, those events are only logged.
    /// `work` plans and applies. Throws when a command has no runner.
    public static func all(
        _ configuration: GafferConfiguration = GafferConfiguration(),
        github: GitHubConnection? = nil,
        publisher: TaskPublisher? = nil,
        pipeline: PullRequestPipeline? = nil,
        work: ChangeWork? = nil,
        reports: ReportWork? = nil,
        inference: IssueInference? = nil,
        followUps: FollowUpReader? = nil,
        codeAllowed: Bool = false
    ) throws -> [any WebhookEventHandler] {
        let checks: any WebhookEventHandler =
            if let github, let pipeline {
                PullRequestPipelineHandler(github: github, pipeline: pipeline, work: work)
            } else {
                LoggingEventHandler(
                    name: "pull-request-pipeline-log",
                    subscriptions: [
                        EventSubscription("pull_request", actions: ["opened", "synchronize", "reopened"]),
                        EventSubscription("check_run", actions: ["rerequested"]),
                    ]
                )
            }
        let intake = TaskIntakeHandler(
            parser: IssueParser(options: configuration.parserOptions),
            github: github,
            publisher: publisher,
            policy: configuration.authorization,
            reports: reports,
            inference: inference
        )
        let commands = CommandParser(botLogin: configuration.botLogin)
        let common: [any WebhookEventHandler] = [
            intake,
            CommentCommandHandler(
                parser: commands,
                policy: configuration.authorization,
                github: github,
                work: work,
                runners: try CommandRunners.standard(),
                intake: intake
            ),
            checks,
            LoggingEventHandler(name: "check-run-log", subscriptions: [EventSubscription("check_run", actions: ["requested_action"])]),
        ]
        guard let github else {
            return common + [
                LoggingEventHandler(name: "pull-request-log", subscriptions: [EventSubscription("pull_request", actions: ["closed"])]),
                LoggingEventHandler(name: "installation-log", subscriptions: [EventSubscription("installation")]),
            ]
        }
        let followUp: [any WebhookEventHandler] =
            publisher.map {
                [
                    FollowUpHandler(
                        commands: commands,
                        policy: configuration.authorization,
                        github: github,
                        intake: intake,
                        publisher: $0,
                        reader: followUps,
                        codeAllowed: codeAllowed
                    )
                ]
            } ?? []
        return common + followUp + [
            IssueClosedHandler(github: github, intake: intake),
            PullRequestClosedHandler(github: github, work: work),
            InstallationHandler(github: github, triggerLabel: configuration.triggerLabel),
        ]
    }
}
