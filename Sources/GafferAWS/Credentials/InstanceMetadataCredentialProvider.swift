import Foundation
import Synchronization

/// EC2 instance metadata (IMDSv2): a session token from `PUT /latest/api/token`, then the
/// instance role's credentials. A token the service stops accepting (401) is fetched again
/// once. When the token request is refused as forbidden, IMDS is off for this instance and
/// that is the error; when the service does not know tokens (404, 405) it falls back to
/// IMDSv1 unless `AWS_EC2_METADATA_V1_DISABLED` is set. `AWS_METADATA_SERVICE_TIMEOUT` (seconds,
/// default 1) and `AWS_METADATA_SERVICE_NUM_ATTEMPTS` (default 1) as in the SDKs.
public final class InstanceMetadataCredentialProvider: AWSCredentialProvider {
    let endpoint: String
    let transport: any AWSTransport
    let allowV1: Bool
    let timeout: Duration
    let attempts: Int
    let tokenTTL = 21_600
    private let token = Mutex<String?>(nil)

    public init(environment: AWSEnvironment, transport: any AWSTransport) {
        var endpoint = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        if endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
        self.transport = transport
        allowV1 = environment["AWS_EC2_METADATA_V1_DISABLED"]?.lowercased() != "true"
        // IMDS answers at once when it is there; off EC2 a short timeout keeps the chain from hanging.
        timeout = .milliseconds(Int((environment["AWS_METADATA_SERVICE_TIMEOUT"].flatMap(Double.init) ?? 1) * 1000))
        attempts = max(1, environment["AWS_METADATA_SERVICE_NUM_ATTEMPTS"].flatMap(Int.init) ?? 1)
    }

    public func resolve() async throws -> ResolvedCredentials {
        let base = "/latest/meta-data/iam/security-credentials/"
        let role = try await get(base).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").first.map(String.init) ?? ""
        guard !role.isEmpty else {
            throw AWSClientError("the instance metadata service at \(endpoint) lists no IAM role; attach an instance profile")
        }
        let document = try await get(base + role)
        return try AWSClient.decodeJSON(CredentialsDocument.self, Data(document.utf8), from: "the instance metadata service at \(endpoint)")
            .resolved(source: "EC2 instance metadata (role \(role))")
    }

    private func get(_ path: String, retried: Bool = false) async throws -> String {
        var headers: [(name: String, value: String)] = []
        if let token = try await sessionToken() { headers.append(("X-aws-ec2-metadata-token", token)) }
        let response = try await exchange(AWSHTTPRequest(method: "GET", url: endpoint + path, headers: headers, body: Data()))
        if response.status == 401 && !retried {
            token.withLock { $0 = nil }
            return try await get(path, retried: true)
        }
        guard response.status == 200 else {
            throw AWSClientError("the instance metadata service answered HTTP \(response.status) for \(path)")
        }
        return String(decoding: response.body, as: UTF8.self)
    }

    /// The IMDSv2 token, or nil to go on with IMDSv1.
    private func sessionToken() async throws -> String? {
        if let current = token.withLock({ $0 }) { return current }
        let response = try await exchange(
            AWSHTTPRequest(
                method: "PUT",
                url: endpoint + "/latest/api/token",
                headers: [("X-aws-ec2-metadata-token-ttl-seconds", String(tokenTTL))],
                body: Data()
            )
        )
        switch response.status {
        case 200:
            let fresh = String(decoding: response.body, as: UTF8.self)
            token.withLock { $0 = fresh }
            return fresh
        case 403:
            throw AWSClientError(
                "the instance metadata service at \(endpoint) refused a session token (HTTP 403): IMDS is disabled for this instance"
            )
        case 404 where allowV1, 405 where allowV1:
            return nil
        default:
            throw AWSClientError(
                "the instance metadata service at \(endpoint) refused a session token (HTTP \(response.status))"
                    + (allowV1 ? "" : "; IMDSv1 is disabled (AWS_EC2_METADATA_V1_DISABLED)")
            )
        }
    }

    private func exchange(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await transport.send(request, timeout: timeout)
            } catch  where attempt < attempts {
                continue
            } catch {
                throw AWSClientError("could not reach the instance metadata service at \(endpoint): \(error)")
            }
        }
    }
}
