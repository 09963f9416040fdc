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
    /// The deliveries since `since`, newest first, page after page as GitHub's `Link` header's cursor
    /// leads, at most `maximumPages` pages.
    public func hookDeliveries(since: Date, perPage: Int = 100, maximumPages: Int = 50) async throws -> [GitHubHookDelivery] {
        var all: [GitHubHookDelivery] = []
        var cursor: String?
        for _ in 0..<maximumPages {
            var query = [URLQueryItem(name: "per_page", value: String(perPage))]
            if let cursor { query.append(URLQueryItem(name: "cursor", value: cursor)) }
            let response = try await send("GET", "/app/hook/deliveries", query: query, as: .app)
            let page: [GitHubHookDelivery]
            do {
                page = try GitHubJSON.decoder.decode([GitHubHookDelivery].self, from: response.body)
            } catch {
                throw GitHubClientError("could not read GitHub's list of deliveries: \(error)")
            }
            all += page
            guard let oldest = page.last, oldest.deliveredAt >= since, let next = Self.nextCursor(response.headers["link"]) else { break }
            cursor = next
        }
        return all
    }

    /// The `cursor` of the `rel="next"` link in a `Link` header.
    static func nextCursor(_ link: String?) -> String? {
        guard let link else { return nil }
        for part in link.split(separator: ",") where part.contains("rel=\"next\"") {
            guard let open = part.firstIndex(of: "<"), let close = part.firstIndex(of: ">"), open < close,
                let components = URLComponents(string: String(part[part.index(after: open)..<close]))
            else { continue }
            return components.queryItems?.first { $0.name == "cursor" }?.value
        }
        return nil
    }

    /// Asks GitHub to send a delivery again (same GUID).
    public func redeliver(_ delivery: Int64) async throws {
        try await send("POST", "/app/hook/deliveries/\(delivery)/attempts", as: .app)
    }
}
