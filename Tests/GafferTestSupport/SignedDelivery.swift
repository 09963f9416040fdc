import Foundation
import GafferCore
import GafferGitHub

/// A webhook delivery as GitHub would send it: headers and body, signed.
public struct SignedDelivery: Sendable {
    public var id: String
    public var event: String
    public var body: Data
    public var headers: [(String, String)]

    public init(id: String = UUID().uuidString, event: String, body: Data, secret: Secret? = TestConfiguration.webhookSecret) {
        self.id = id
        self.event = event
        self.body = body
        var headers = [
            ("Content-Type", "application/json"),
            ("X-GitHub-Event", event),
            ("X-GitHub-Delivery", id),
            ("User-Agent", "GitHub-Hookshot/test"),
        ]
        if let secret {
            headers.append(("X-Hub-Signature-256", WebhookVerifier.signature(for: body, secret: secret)))
        }
        self.headers = headers
    }

    /// A real `issues.opened` payload with its title changed, so each is distinct.
    public static func issueOpened(id: String = UUID().uuidString, title: String = "Create a bucket") throws -> SignedDelivery {
        let url = try Conformance.directory().appendingPathComponent("webhooks/issues/opened.payload.json")
        var text = try String(contentsOf: url, encoding: .utf8)
        text = text.replacingOccurrences(of: "Spelling error in the README file", with: title)
        return SignedDelivery(id: id, event: "issues", body: Data(text.utf8))
    }
}
