import GafferGitHub
import Logging

/// What a handler is given along with the event.
public struct EventContext: Sendable {
    public var deliveryID: String
    public var logger: Logger

    public init(deliveryID: String, logger: Logger) {
        self.deliveryID = deliveryID
        self.logger = logger
    }
}

/// An event and the actions of it a handler wants; `actions` nil means all.
public struct EventSubscription: Sendable, Equatable {
    public var event: String
    public var actions: Set<String>?

    public init(_ event: String, actions: Set<String>? = nil) {
        self.event = event
        self.actions = actions
    }

    func matches(event: String, action: String?) -> Bool {
        guard event == self.event else { return false }
        guard let actions else { return true }
        return action.map(actions.contains) ?? false
    }
}

/// Handles the webhook events it subscribes to. One small type per concern;
/// register it in `EventRouter` and it is called for its events.
public protocol WebhookEventHandler: Sendable {
    /// A short name, for logs and job results.
    var name: String { get }
    var subscriptions: [EventSubscription] { get }
    func handle(_ event: WebhookEvent, context: EventContext) async throws
}

/// Sends each event to the handlers that subscribe to it, in the order they
/// were registered.
public struct EventRouter: Sendable {
    private let handlersByEvent: [String: [any WebhookEventHandler]]

    public init(handlers: [any WebhookEventHandler]) {
        var byEvent: [String: [any WebhookEventHandler]] = [:]
        for handler in handlers {
            for event in Set(handler.subscriptions.map(\.event)) {
                byEvent[event, default: []].append(handler)
            }
        }
        handlersByEvent = byEvent
    }

    /// The handlers for an event and action.
    public func handlers(event: String, action: String?) -> [any WebhookEventHandler] {
        (handlersByEvent[event] ?? []).filter { handler in
            handler.subscriptions.contains { $0.matches(event: event, action: action) }
        }
    }

    /// Whether any handler wants this event: the webhook path queues only those.
    public func handles(event: String, action: String?) -> Bool {
        !handlers(event: event, action: action).isEmpty
    }

    /// Runs the handlers for `event`; returns their names.
    @discardableResult
    public func route(_ event: WebhookEvent, context: EventContext) async throws -> [String] {
        let handlers = handlers(event: event.name, action: event.action)
        if handlers.isEmpty {
            context.logger.debug("no handler for event", metadata: ["event": "\(event.name)", "action": "\(event.action ?? "-")"])
        }
        for handler in handlers {
            try await handler.handle(event, context: context)
        }
        return handlers.map(\.name)
    }
}
