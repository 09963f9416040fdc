import Logging
import ServiceLifecycle

/// Runs a service (a Hummingbird application) until it is stopped, and stops it gracefully:
/// cancelling a server while a connection arrives trips a fatal check in NIO
/// ("Deinited NIOAsyncWriter without calling finish()"), seen when the suite runs many servers at once.
public final class RunningService: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    public init(_ service: some Service) {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [.init(service: service)], logger: Logger(label: "test-service")))
        self.group = group
        task = Task { try await group.run() }
    }

    /// Starts the shutdown and returns at once, for `defer`.
    public func stop() {
        let group = group
        Task { await group.triggerGracefulShutdown() }
    }

    /// Shuts down and waits until the service has ended.
    public func stopAndWait() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}
