import Foundation
import GafferCore
import GafferGitHub
import GafferStore
import Logging

/// Finds webhook deliveries GitHub could not hand to Gaffer and asks for them
/// again: each failed delivery of the last 3 days whose GUID is not in the
/// store, at most `maximumPerRun` a run. A redelivery that fails too is asked
/// for again on a later run, up to `maximumRedeliveries` times. GitHub does
/// not resend on its own; none of the well-known bots catch up.
public struct DeliveryCatchUp: Sendable {
    let client: GitHubClient
    let deliveries: any DeliveryStore
    let clock: any WallClock
    let maximumPerRun: Int
    let maximumRedeliveries: Int
    let logger: Logger

    public init(
        client: GitHubClient,
        deliveries: any DeliveryStore,
        clock: any WallClock = SystemWallClock(),
        maximumPerRun: Int = 20,
        maximumRedeliveries: Int = 3,
        logger: Logger = Logger(label: "gaffer.catch-up")
    ) {
        self.client = client
        self.deliveries = deliveries
        self.clock = clock
        self.maximumPerRun = maximumPerRun
        self.maximumRedeliveries = maximumRedeliveries
        self.logger = logger
    }

    /// One pass; returns the GUIDs it asked GitHub to redeliver.
    @discardableResult
    public func run() async throws -> [String] {
        let horizon = clock.now().addingTimeInterval(-3 * 24 * 3600)
        let listed = try await client.hookDeliveries(since: horizon)
        let byGUID = Dictionary(grouping: listed, by: \.guid)
        var asked: [String] = []
        for (guid, attempts) in byGUID.sorted(by: {
            ($0.value.map(\.deliveredAt).min() ?? .distantPast) < ($1.value.map(\.deliveredAt).min() ?? .distantPast)
        }) {
            guard asked.count < maximumPerRun else { break }
            // Any success settles it; so do enough failed redeliveries, and an age GitHub no longer keeps.
            guard !attempts.contains(where: \.succeeded), attempts.filter(\.redelivery).count < maximumRedeliveries,
                let first = attempts.min(by: { $0.deliveredAt < $1.deliveredAt }), first.deliveredAt > horizon
            else { continue }
            // Gaffer may have stored it although GitHub counted it failed (a timeout after the commit).
            if try await deliveries.delivery(id: guid) != nil { continue }
            try await client.redeliver(first.id)
            asked.append(guid)
            logger.info("asked GitHub to redeliver a missed delivery", metadata: ["delivery": "\(guid)", "event": "\(first.event)"])
        }
        return asked
    }
}
