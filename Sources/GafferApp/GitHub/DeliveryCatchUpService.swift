import Foundation
import GafferStore
import Logging
import ServiceLifecycle

/// Runs `DeliveryCatchUp` at start and then every `interval`, until shutdown.
/// A failed pass is logged and tried again at the next one.
struct DeliveryCatchUpService: Service {
    let github: GitHubConnection
    let deliveries: any DeliveryStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let catchUp = DeliveryCatchUp(client: try await github.gitHub(), deliveries: deliveries, logger: logger)
                    let asked = try await catchUp.run()
                    if !asked.isEmpty { logger.info("catch-up asked for redeliveries", metadata: ["count": "\(asked.count)"]) }
                } catch {
                    logger.warning("catch-up of missed deliveries failed; trying again later", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
