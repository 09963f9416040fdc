/// AWS Systems Manager Parameter Store (JSON 1.1).
public struct SSM: Sendable {
    public let client: AWSClient
    public var region: String?

    public init(_ client: AWSClient, region: String? = nil) {
        self.client = client
        self.region = region
    }

    public struct Parameter: Decodable, Sendable {
        public let name: String
        public let type: String
        public let value: String
        public let version: Int?
    }

    public struct Parameters: Decodable, Sendable {
        public let parameters: [Parameter]
        /// Names that do not exist.
        public let invalidParameters: [String]?
    }

    /// Up to 10 parameters; SecureString values decrypted when `decrypt`.
    public func getParameters(_ names: [String], decrypt: Bool = true) async throws -> Parameters {
        try await client.json(.ssm, "GetParameters", ["Names": names, "WithDecryption": decrypt], region: region)
    }

    public func putParameter(_ name: String, value: String, type: String = "String", overwrite: Bool = false) async throws {
        struct Output: Decodable { let version: Int? }
        _ = try await client.json(
            .ssm,
            "PutParameter",
            ["Name": name, "Value": value, "Type": type, "Overwrite": overwrite],
            region: region,
            as: Output.self
        )
    }
}
