import GafferCore

/// The handlers Gaffer registers, one per event it acts on.
public enum StandardEventHandlers {
    /// `github` is where answers are written; without it they are only logged. `publisher` turns tasks into pull requests.
    public static func all(
        _ configuration: GafferConfiguration = GafferConfiguration(),
        github: GitHubConnection? = nil,
        publisher: TaskPublisher? = nil
    ) -> [any WebhookEventHandler] {
        [
            TaskIntakeHandler(
                parser: IssueParser(options: .init(triggerLabel: configuration.triggerLabel, defaultRegion: configuration.defaultRegion)),
                github: github,
                publisher: publisher
            ),
            CommentCommandHandler(parser: CommandParser(botLogin: configuration.botLogin), github: github),
            LoggingEventHandler(name: "pull-request-log", subscriptions: [EventSubscription("pull_request", actions: ["closed"])]),
            LoggingEventHandler(name: "installation-log", subscriptions: [EventSubscription("installation")]),
            LoggingEventHandler(
                name: "check-run-log",
                subscriptions: [EventSubscription("check_run", actions: ["rerequested", "requested_action"])]
            ),
        ]
    }
}
