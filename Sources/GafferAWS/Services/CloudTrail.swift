/// AWS CloudTrail (JSON 1.1): whether the account's API calls are being recorded.
public struct CloudTrail: Sendable {
    public let client: AWSClient
    public var region: String?

    public init(_ client: AWSClient, region: String? = nil) {
        self.client = client
        self.region = region
    }

    public struct Trail: Decodable, Sendable {
        public let name: String
        public let trailARN: String?
        public let isMultiRegionTrail: Bool?
        public let homeRegion: String?
    }

    /// The trails that apply to the region (its own and multi-region ones).
    public func describeTrails() async throws -> [Trail] {
        struct Output: Decodable { let trailList: [Trail]? }
        return try await client.json(.cloudTrail, "DescribeTrails", ["includeShadowTrails": true], region: region, as: Output.self).trailList ?? []
    }

    /// Whether the trail is recording now.
    public func isLogging(_ trail: String) async throws -> Bool {
        struct Output: Decodable { let isLogging: Bool? }
        return try await client.json(.cloudTrail, "GetTrailStatus", ["Name": trail], region: region, as: Output.self).isLogging ?? false
    }
}
