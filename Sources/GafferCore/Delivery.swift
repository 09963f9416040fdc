import Foundation

/// One webhook delivery as GitHub sent it: the id from `X-GitHub-Delivery`
/// (the same on a redelivery), the event from `X-GitHub-Event`, the `action`
/// from the body, and the JSON body itself.
public struct Delivery: Sendable, Equatable {
    public var id: String
    public var event: String
    public var action: String?
    public var receivedAt: Date
    public var body: Data

    public init(id: String, event: String, action: String?, receivedAt: Date, body: Data) {
        self.id = id
        self.event = event
        self.action = action
        self.receivedAt = receivedAt
        self.body = body
    }
}
