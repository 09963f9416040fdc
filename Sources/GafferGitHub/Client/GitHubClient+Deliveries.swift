import Foundation

/// A webhook delivery as `GET /app/hook/deliveries` lists it.
public struct GitHubHookDelivery: Sendable, Decodable, Equatable {
    public var id: Int64
    /// The `X-GitHub-Delivery` value; the same on every redelivery.
    public var guid: String
    public var deliveredAt: Date
    public var redelivery: Bool
    public var statusCode: Int
    public var event: String
    public var action: String?

    public var succeeded: Bool { (200..<300).contains(statusCode) }
}

/// The app's own webhook deliveries, to find and redeliver the ones that failed.
extension GitHubClient {
    /// The most recent deliveries, newest first (one page of up to 100).
    public func hookDeliveries(perPage: Int = 100) async throws -> [GitHubHookDelivery] {
        try await send("GET", "/app/hook/deliveries", query: [URLQueryItem(name: "per_page", value: String(perPage))],
                       as: .app, decoding: [GitHubHookDelivery].self)
    }

    /// Asks GitHub to send a delivery again (same GUID).
    public func redeliver(_ delivery: Int64) async throws {
        try await send("POST", "/app/hook/deliveries/\(delivery)/attempts", as: .app)
    }
}
