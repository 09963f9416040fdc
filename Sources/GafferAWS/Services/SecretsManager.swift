/// AWS Secrets Manager (JSON 1.1).
public struct SecretsManager: Sendable {
    public let client: AWSClient
    public var region: String?

    public init(_ client: AWSClient, region: String? = nil) {
        self.client = client
        self.region = region
    }

    public struct SecretValue: Decodable, Sendable {
        public let arn: String?
        public let name: String
        public let versionId: String?
        public let secretString: String?
        public let versionStages: [String]?
    }

    /// A secret by name or ARN; the stage (AWSCURRENT by default) or a version id picks the version.
    public func getSecretValue(_ id: String, versionStage: String? = nil, versionID: String? = nil) async throws -> SecretValue {
        var input: [String: any Sendable] = ["SecretId": id]
        if let versionStage, !versionStage.isEmpty { input["VersionStage"] = versionStage }
        if let versionID, !versionID.isEmpty { input["VersionId"] = versionID }
        return try await client.json(.secretsManager, "GetSecretValue", input, region: region)
    }

    public func createSecret(_ name: String, secretString: String) async throws -> String {
        struct Output: Decodable { let arn: String? }
        return try await client.json(.secretsManager, "CreateSecret", ["Name": name, "SecretString": secretString], region: region, as: Output.self)
            .arn ?? ""
    }
}
