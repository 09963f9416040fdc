import Foundation

/// ECS (and EKS Pod Identity) container credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`
/// under 169.254.170.2, or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with the token from
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
public struct ContainerCredentialProvider: AWSCredentialProvider {
    let url: String
    let environment: AWSEnvironment
    let transport: any AWSTransport

    /// Nil when the environment names no container endpoint.
    public init?(environment: AWSEnvironment, transport: any AWSTransport) throws(AWSClientError) {
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            url = "http://169.254.170.2" + (relative.hasPrefix("/") ? relative : "/" + relative)
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            // The SDKs send the token only to loopback, the ECS and EKS link-local hosts, or over TLS.
            guard let components = URLComponents(string: full), let host = components.host,
                components.scheme == "https" || ["127.0.0.1", "localhost", "::1", "[::1]", "169.254.170.2", "169.254.170.23"].contains(host)
                    || host.hasPrefix("127.")
            else {
                throw AWSClientError(
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI '\(full)' must be https, or http on a loopback address or 169.254.170.2/169.254.170.23"
                )
            }
            url = full
        } else {
            return nil
        }
        self.environment = environment
        self.transport = transport
    }

    public func resolve() async throws -> ResolvedCredentials {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw AWSClientError("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(file)")
            }
            headers.append(("Authorization", String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
            headers.append(("Authorization", token))
        }
        let source = "the container credentials endpoint \(url)"
        let response: AWSHTTPResponse
        do {
            response = try await transport.send(AWSHTTPRequest(method: "GET", url: url, headers: headers, body: Data()), timeout: .seconds(5))
        } catch {
            throw AWSClientError("could not reach \(source): \(error)")
        }
        guard response.status == 200 else {
            throw AWSClientError("\(source) answered HTTP \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
        return try AWSClient.decodeJSON(CredentialsDocument.self, response.body, from: source).resolved(source: source)
    }
}
