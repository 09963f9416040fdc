import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore

/// Sends the sandbox's webhooks, signed as GitHub signs them, and keeps the
/// deliveries log the app's `/app/hook/deliveries` API serves.
public actor SandboxWebhooks {
    public struct Delivery: Sendable {
        public var id: Int64
        public var guid: String
        public var event: String
        public var action: String?
        public var payload: Data
        public var deliveredAt: Date
        public var statusCode: Int
        public var redelivery: Bool
        public var installation: Int64?
        public var repositoryID: Int64?
    }

    private var url: URL?
    private var secret: String?
    /// How long a receiver has to answer; GitHub gives 10 s.
    private var timeout: Duration = .seconds(10)
    public private(set) var deliveries: [Delivery] = []
    private var nextID: Int64 = 9_000_000
    private let client: HTTPClient

    public init(client: HTTPClient = .shared) {
        self.client = client
    }

    /// Where webhooks go, and the secret that signs them; nil stops sending.
    public func configure(url: URL?, secret: String?, timeout: Duration = .seconds(10)) {
        self.url = url
        self.secret = secret
        self.timeout = timeout
    }

    /// Sends one delivery and records how it went.
    @discardableResult
    public func send(
        event: String,
        action: String?,
        payload: Data,
        installation: Int64?,
        repositoryID: Int64?,
        guid: String = UUID().uuidString.lowercased(),
        redelivery: Bool = false
    ) async -> Delivery? {
        guard let url, let secret else { return nil }
        nextID += 1
        var delivery = Delivery(
            id: nextID,
            guid: guid,
            event: event,
            action: action,
            payload: payload,
            deliveredAt: Date(),
            statusCode: 0,
            redelivery: redelivery,
            installation: installation,
            repositoryID: repositoryID
        )
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "GitHub-Hookshot/sandbox")
        request.headers.add(name: "X-GitHub-Event", value: event)
        request.headers.add(name: "X-GitHub-Delivery", value: guid)
        request.headers.add(name: "X-GitHub-Hook-ID", value: "1")
        // One connection per delivery, as GitHub does; no idle connection is left to hold a receiver's shutdown.
        request.headers.add(name: "Connection", value: "close")
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: SymmetricKey(data: Data(secret.utf8)))
        request.headers.add(name: "X-Hub-Signature-256", value: "sha256=" + mac.map { String(format: "%02x", $0) }.joined())
        request.body = .bytes(ByteBuffer(bytes: payload))
        do {
            let response = try await client.execute(request, timeout: .seconds(max(1, timeout.components.seconds)))
            _ = try? await response.body.collect(upTo: 1 << 20)
            delivery.statusCode = Int(response.status.code)
        } catch {
            delivery.statusCode = 0
        }
        deliveries.append(delivery)
        return delivery
    }

    /// Marks a delivery failed, as if the receiver had been down.
    public func markFailed(guid: String) -> Bool {
        guard let index = deliveries.lastIndex(where: { $0.guid == guid }) else { return false }
        deliveries[index].statusCode = 502
        return true
    }

    /// Sends a delivery again with its GUID, as `POST /app/hook/deliveries/{id}/attempts` does.
    public func redeliver(id: Int64) async -> Delivery? {
        guard let original = deliveries.first(where: { $0.id == id }) else { return nil }
        return await send(
            event: original.event,
            action: original.action,
            payload: original.payload,
            installation: original.installation,
            repositoryID: original.repositoryID,
            guid: original.guid,
            redelivery: true
        )
    }

    /// `GET /app/hook/deliveries`: newest first, as GitHub lists them, a page at a time; the cursor
    /// (`v1_<id>`) starts a page after that delivery, and the next page's cursor comes back for `Link`.
    func listJSON(perPage: Int, cursor: String?) -> (body: Data, next: String?) {
        let newestFirst = deliveries.reversed().filter { delivery in
            cursor.flatMap { Int64($0.dropFirst(3)) }.map { delivery.id < $0 } ?? true
        }
        let page = Array(newestFirst.prefix(perPage))
        let next = newestFirst.count > page.count ? page.last.map { "v1_\($0.id)" } : nil
        let items = page.map { delivery -> [String: Any] in
            [
                "id": delivery.id, "guid": delivery.guid, "delivered_at": SandboxJSON.time(delivery.deliveredAt),
                "redelivery": delivery.redelivery, "duration": 0.01,
                "status": delivery.statusCode == 0
                    ? "Timed out" : (200..<300).contains(delivery.statusCode) ? "OK" : "Invalid HTTP Response: \(delivery.statusCode)",
                "status_code": delivery.statusCode, "event": delivery.event, "action": delivery.action ?? NSNull(),
                "installation_id": delivery.installation ?? NSNull(), "repository_id": delivery.repositoryID ?? NSNull(),
            ]
        }
        return (SandboxJSON.data(items), next)
    }
}
