import Foundation
import GafferCore
import GafferGitHub
import GafferStore

/// `github.delivery`: decodes a stored webhook delivery and hands it to the
/// event router. Queued by the webhook path in the same transaction as the
/// delivery; never submitted by clients.
public struct DeliveryJob: JobHandler {
    public static let type = "github.delivery"
    public let jobType = DeliveryJob.type
    public let isSubmittable = false

    let deliveries: any DeliveryStore
    let router: EventRouter

    public init(deliveries: any DeliveryStore, router: EventRouter) {
        self.deliveries = deliveries
        self.router = router
    }

    struct Payload: Decodable {
        var deliveryID: String

        enum CodingKeys: String, CodingKey {
            case deliveryID = "delivery_id"
        }
    }

    /// The job that processes `delivery`.
    public static func newJob(deliveryID: String, maxAttempts: Int) -> NewJob {
        var payload = JSONText()
        payload.field("delivery_id", deliveryID)
        return NewJob(type: type, payload: Data(payload.finished), maxAttempts: maxAttempts, deliveryID: deliveryID)
    }

    public func run(_ context: JobContext) async throws -> JobResult {
        guard let payload = try? JSONDecoder().decode(Payload.self, from: context.job.payload) else {
            throw PermanentJobFailure("the job's payload has no delivery_id")
        }
        guard let delivery = try await deliveries.delivery(id: payload.deliveryID) else {
            throw PermanentJobFailure("delivery \(payload.deliveryID) is not in the store")
        }
        var logger = context.logger
        logger[metadataKey: "delivery"] = .string(delivery.id)
        let event: WebhookEvent
        do {
            event = try WebhookEvent.decode(name: delivery.event, body: delivery.body)
        } catch {
            throw PermanentJobFailure(error.description)
        }
        let handled = try await router.route(event, context: EventContext(deliveryID: delivery.id, logger: logger))
        return try JobResult(
            .object([
                "delivery_id": .string(delivery.id),
                "event": .string(delivery.event),
                "action": delivery.action.map(JSONValue.string) ?? .null,
                "handled_by": .array(handled.map(JSONValue.string)),
            ])
        )
    }
}
