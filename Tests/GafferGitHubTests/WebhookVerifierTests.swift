import Foundation
import GafferCore
import GafferGitHub
import GafferTestSupport
import Testing

@Suite struct WebhookVerifierTests {
    struct Vector: Decodable {
        var secret: String
        var payload: String
        var x_hub_signature_256: String
    }

    func gitHubVector() throws -> Vector {
        let url = try Conformance.directory().appendingPathComponent("webhook-signature/github-docs-vector.json")
        return try JSONDecoder().decode(Vector.self, from: Data(contentsOf: url))
    }

    @Test func acceptsGitHubsPublishedVector() throws {
        let vector = try gitHubVector()
        let verifier = WebhookVerifier(secrets: [Secret(vector.secret)])
        #expect(throws: Never.self) { try verifier.verify(body: Array(vector.payload.utf8), header: vector.x_hub_signature_256) }
        #expect(WebhookVerifier.signature(for: Array(vector.payload.utf8), secret: Secret(vector.secret)) == vector.x_hub_signature_256)
        // Upper-case hex is the same signature.
        let upper = "sha256=" + vector.x_hub_signature_256.dropFirst(7).uppercased()
        #expect(throws: Never.self) { try verifier.verify(body: Array(vector.payload.utf8), header: upper) }
    }

    @Test func refusesAWrongSecret() throws {
        let vector = try gitHubVector()
        let verifier = WebhookVerifier(secrets: [Secret("not the secret")])
        #expect(throws: WebhookVerifier.Failure.mismatch) {
            try verifier.verify(body: Array(vector.payload.utf8), header: vector.x_hub_signature_256)
        }
    }

    @Test func refusesAChangedBody() throws {
        let vector = try gitHubVector()
        let verifier = WebhookVerifier(secrets: [Secret(vector.secret)])
        #expect(throws: WebhookVerifier.Failure.mismatch) {
            try verifier.verify(body: Array("Hello, World?".utf8), header: vector.x_hub_signature_256)
        }
    }

    @Test func refusesAMissingHeader() {
        let verifier = WebhookVerifier(secrets: [Secret("s")])
        #expect(throws: WebhookVerifier.Failure.missing) { try verifier.verify(body: [1, 2, 3], header: nil) }
        #expect(throws: WebhookVerifier.Failure.missing) { try verifier.verify(body: [1, 2, 3], header: "") }
    }

    @Test func refusesASha1OnlyDelivery() {
        let verifier = WebhookVerifier(secrets: [Secret("s")])
        #expect(throws: WebhookVerifier.Failure.sha1Only) {
            try verifier.verify(body: [1], header: nil, sha1Header: "sha1=0123456789012345678901234567890123456789")
        }
        #expect(WebhookVerifier.Failure.sha1Only.description.contains("X-Hub-Signature-256"))
    }

    @Test(arguments: ["sha1=abc", "sha256=", "sha256=zz" + String(repeating: "0", count: 62), "sha256=" + String(repeating: "0", count: 63)])
    func refusesAMalformedHeader(_ header: String) {
        let verifier = WebhookVerifier(secrets: [Secret("s")])
        #expect(throws: WebhookVerifier.Failure.malformed) { try verifier.verify(body: [1], header: header) }
    }

    @Test func acceptsEitherSecretWhileOneIsRotated() throws {
        let body = Array(#"{"action":"opened"}"#.utf8)
        let old = Secret("old-secret"), new = Secret("new-secret")
        let verifier = WebhookVerifier(secrets: [old, new])
        #expect(throws: Never.self) { try verifier.verify(body: body, header: WebhookVerifier.signature(for: body, secret: old)) }
        #expect(throws: Never.self) { try verifier.verify(body: body, header: WebhookVerifier.signature(for: body, secret: new)) }
        let retired = WebhookVerifier(secrets: [new])
        #expect(throws: WebhookVerifier.Failure.mismatch) {
            try retired.verify(body: body, header: WebhookVerifier.signature(for: body, secret: old))
        }
    }

    /// Each refusal, made by a verifier that holds the secret, names neither the secret nor the
    /// signature it expected (which would let the sender forge the next one).
    @Test func refusalsNameNoSecret() {
        let secret = "s3cr3t-webhook-value"
        let verifier = WebhookVerifier(secrets: [Secret(secret), Secret("older-" + secret)])
        let body = Array(#"{"action":"opened"}"#.utf8)
        let expected = WebhookVerifier.signature(for: body, secret: Secret(secret))
        var seen: Set<WebhookVerifier.Failure> = []
        for (header, sha1) in [
            (nil, nil), (nil, "sha1=" + secret), ("sha256=" + secret, nil), ("sha256=" + String(repeating: "0", count: 64), nil),
            (expected, nil),
        ] as [(String?, String?)] {
            let tampered = header == expected ? body + [0x20] : body
            do {
                try verifier.verify(body: tampered, header: header, sha1Header: sha1)
                Issue.record("accepted \(header ?? "no header")")
            } catch {
                seen.insert(error)
                #expect(!error.description.contains(secret) && !error.description.contains(expected.dropFirst(7)), "\(error)")
            }
        }
        #expect(seen == [.missing, .sha1Only, .malformed, .mismatch])
    }
}
