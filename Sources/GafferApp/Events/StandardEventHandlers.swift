import GafferCore

/// The handlers Gaffer registers, one per event it acts on.
public enum StandardEventHandlers {
    /// `github` is where answers are written; without it they are only logged. `publisher` turns tasks
    /// into pull requests, and `pipeline` checks them; without them, those events are only logged.
    public static func all(
        _ configuration: GafferConfiguration = GafferConfiguration(),
        github: GitHubConnection? = nil,
        publisher: TaskPublisher? = nil,
        pipeline: PullRequestPipeline? = nil
    ) -> [any WebhookEventHandler] {
        let checks: any WebhookEventHandler =
            if let github, let pipeline {
                PullRequestPipelineHandler(github: github, pipeline: pipeline)
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
            parser: IssueParser(options: .init(triggerLabel: configuration.triggerLabel, defaultRegion: configuration.defaultRegion)),
            github: github,
            publisher: publisher,
            policy: configuration.authorization
        )
        let common: [any WebhookEventHandler] = [
            intake,
            CommentCommandHandler(parser: CommandParser(botLogin: configuration.botLogin), policy: configuration.authorization, github: github),
            checks,
            LoggingEventHandler(name: "check-run-log", subscriptions: [EventSubscription("check_run", actions: ["requested_action"])]),
        ]
        guard let github else {
            return common + [
                LoggingEventHandler(name: "pull-request-log", subscriptions: [EventSubscription("pull_request", actions: ["closed"])]),
                LoggingEventHandler(name: "installation-log", subscriptions: [EventSubscription("installation")]),
            ]
        }
        return common + [
            IssueClosedHandler(github: github, intake: intake),
            PullRequestClosedHandler(github: github),
            InstallationHandler(github: github, triggerLabel: configuration.triggerLabel),
        ]
    }
}
