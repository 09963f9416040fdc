/// Amazon SNS (query protocol): the topics of a region.
public struct SNS: Sendable {
    public let client: AWSClient
    public var region: String?

    public init(_ client: AWSClient, region: String? = nil) {
        self.client = client
        self.region = region
    }

    /// Every topic's ARN, page by page.
    public func listTopics() async throws -> [String] {
        var arns: [String] = []
        var token: String?
        repeat {
            var parameters = QueryParameters()
            parameters.add("NextToken", token)
            let page = try await client.query(.sns, "ListTopics", parameters.pairs, region: region)
            arns += page.list("Topics").compactMap { $0.string("TopicArn") }
            token = page.string("NextToken").flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return arns
    }
}
