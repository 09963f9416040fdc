import GafferCore

/// The handlers Gaffer registers, one per event it acts on.
public enum StandardEventHandlers {
    public static func all(_ configuration: GafferConfiguration = GafferConfiguration()) -> [any WebhookEventHandler] {
        [
            TaskIntakeHandler(parser: IssueParser(options: .init(triggerLabel: configuration.triggerLabel, defaultRegion: configuration.defaultRegion))),
            CommentCommandHandler(parser: CommandParser(botLogin: configuration.botLogin)),
            LoggingEventHandler(name: "pull-request-cleanup", subscriptions: [EventSubscription("pull_request", actions: ["closed"])]),
            LoggingEventHandler(name: "installations", subscriptions: [EventSubscription("installation")]),
            LoggingEventHandler(name: "check-runs", subscriptions: [EventSubscription("check_run", actions: ["rerequested", "requested_action"])]),
        ]
    }
}
