/// AWS Cost Explorer (JSON 1.1, one endpoint in us-east-1).
public struct CostExplorer: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) {
        self.client = client
    }

    public struct Amount: Decodable, Sendable, Equatable {
        public let amount: String
        public let unit: String
    }

    public struct Group: Decodable, Sendable {
        public let keys: [String]
        public let metrics: [String: Amount]
    }

    public struct ResultByTime: Decodable, Sendable {
        public struct Period: Decodable, Sendable {
            public let start: String
            public let end: String
        }

        public let timePeriod: Period
        public let total: [String: Amount]?
        public let groups: [Group]?
        public let estimated: Bool?
    }

    /// Cost between two dates (`YYYY-MM-DD`, end exclusive), by DAILY or MONTHLY, optionally grouped
    /// by a dimension such as SERVICE (or, with `groupType` TAG, by a tag key), every page.
    public func getCostAndUsage(
        start: String,
        end: String,
        granularity: String = "MONTHLY",
        metrics: [String] = ["UnblendedCost"],
        groupBy key: String? = nil,
        groupType: String = "DIMENSION"
    ) async throws -> [ResultByTime] {
        struct Output: Decodable {
            let resultsByTime: [ResultByTime]?
            let nextPageToken: String?
        }
        var results: [ResultByTime] = []
        var token: String?
        repeat {
            var input: [String: any Sendable] = ["TimePeriod": ["Start": start, "End": end], "Granularity": granularity, "Metrics": metrics]
            if let key { input["GroupBy"] = [["Type": groupType, "Key": key]] }
            if let token { input["NextPageToken"] = token }
            let output = try await client.json(.costExplorer, "GetCostAndUsage", input, as: Output.self)
            results += output.resultsByTime ?? []
            token = output.nextPageToken.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return results
    }
}
