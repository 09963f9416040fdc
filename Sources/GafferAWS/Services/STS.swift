import Foundation
import GafferCore

/// AWS Security Token Service (query protocol).
public struct STS: Sendable {
    public let client: AWSClient
    public var region: String?

    public init(_ client: AWSClient, region: String? = nil) {
        self.client = client
        self.region = region
    }

    public struct CallerIdentity: Sendable, Equatable {
        public let account: String
        public let arn: String
        public let userID: String
    }

    /// Temporary credentials from AssumeRole or AssumeRoleWithWebIdentity.
    public struct AssumedRole: Sendable {
        public let credentials: AWSCredentials
        public let expiration: Date?
        public let assumedRoleARN: String
    }

    public func getCallerIdentity() async throws -> CallerIdentity {
        let result = try await client.query(.sts, "GetCallerIdentity", region: region)
        return CallerIdentity(account: result.string("Account") ?? "", arn: result.string("Arn") ?? "", userID: result.string("UserId") ?? "")
    }

    public func assumeRole(roleARN: String, sessionName: String, externalID: String? = nil, durationSeconds: Int? = nil) async throws -> AssumedRole {
        var parameters = QueryParameters()
        parameters.add("RoleArn", roleARN)
        parameters.add("RoleSessionName", sessionName)
        parameters.add("ExternalId", externalID)
        parameters.add("DurationSeconds", durationSeconds)
        return try Self.assumed(try await client.query(.sts, "AssumeRole", parameters.pairs, region: region), operation: "AssumeRole")
    }

    public func assumeRoleWithWebIdentity(roleARN: String, sessionName: String, webIdentityToken: String) async throws -> AssumedRole {
        let result = try await client.query(
            .sts,
            "AssumeRoleWithWebIdentity",
            [("RoleArn", roleARN), ("RoleSessionName", sessionName), ("WebIdentityToken", webIdentityToken)],
            region: region,
            unsigned: true
        )  // the token is the proof; there are no credentials yet
        return try Self.assumed(result, operation: "AssumeRoleWithWebIdentity")
    }

    private static func assumed(_ result: XMLNode, operation: String) throws -> AssumedRole {
        guard let credentials = result["Credentials"], let key = credentials.string("AccessKeyId"), let secret = credentials.string("SecretAccessKey")
        else {
            throw AWSClientError("STS \(operation): the answer has no credentials")
        }
        return AssumedRole(
            credentials: AWSCredentials(
                accessKeyID: key,
                secretAccessKey: Secret(secret),
                sessionToken: credentials.string("SessionToken").map(Secret.init)
            ),
            expiration: credentials.string("Expiration").flatMap(parseISO8601),
            assumedRoleARN: result.at("AssumedRoleUser", "Arn")?.text ?? ""
        )
    }
}
