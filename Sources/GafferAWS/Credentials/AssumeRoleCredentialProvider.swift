import Foundation

/// Credentials of a role, assumed through STS with the credentials of `client`:
/// a profile's `role_arn`, or a cross-account role from Gaffer's configuration.
public struct AssumeRoleCredentialProvider: AWSCredentialProvider {
    let client: AWSClient
    let role: AccountRole
    let sessionName: String
    let durationSeconds: Int?
    let via: String

    public init(client: AWSClient, role: AccountRole, sessionName: String = "gaffer", durationSeconds: Int? = nil, via: String) {
        self.client = client
        self.role = role
        self.sessionName = sessionName
        self.durationSeconds = durationSeconds
        self.via = via
    }

    public func resolve() async throws -> ResolvedCredentials {
        let assumed = try await STS(client).assumeRole(
            roleARN: role.roleARN,
            sessionName: sessionName,
            externalID: role.externalID,
            durationSeconds: durationSeconds
        )
        return ResolvedCredentials(credentials: assumed.credentials, expiration: assumed.expiration, source: "role \(role.roleARN) assumed \(via)")
    }
}

/// Web identity federation (EKS service accounts, GitHub OIDC): the token in a file is
/// exchanged through STS AssumeRoleWithWebIdentity, unsigned; the file is read again on
/// each refresh, since the platform rotates it.
public struct WebIdentityCredentialProvider: AWSCredentialProvider {
    let client: AWSClient
    let tokenFile: String
    let roleARN: String
    let sessionName: String
    let via: String

    public init(client: AWSClient, tokenFile: String, roleARN: String, sessionName: String?, via: String) {
        self.client = client
        self.tokenFile = tokenFile
        self.roleARN = roleARN
        self.sessionName = sessionName ?? "gaffer-\(Int(Date().timeIntervalSince1970))"
        self.via = via
    }

    public func resolve() async throws -> ResolvedCredentials {
        guard let data = FileManager.default.contents(atPath: tokenFile) else {
            throw AWSClientError("cannot read the web identity token file \(tokenFile) (\(via))")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let assumed = try await STS(client).assumeRoleWithWebIdentity(roleARN: roleARN, sessionName: sessionName, webIdentityToken: token)
        return ResolvedCredentials(credentials: assumed.credentials, expiration: assumed.expiration, source: "web identity for \(roleARN) (\(via))")
    }
}

/// A provider for clients whose requests are all unsigned (web identity's STS client).
struct NoCredentialProvider: AWSCredentialProvider {
    func resolve() async throws -> ResolvedCredentials {
        throw AWSClientError("this client sends only unsigned requests")
    }
}
