/// Amazon DynamoDB (JSON 1.0).
public struct DynamoDB: Sendable {
    public let client: AWSClient
    public var region: String?

    public init(_ client: AWSClient, region: String? = nil) {
        self.client = client
        self.region = region
    }

    public struct TablePage: Decodable, Sendable {
        public let tableNames: [String]
        /// Pass back as `startAfter` for the next page; nil on the last.
        public let lastEvaluatedTableName: String?
    }

    public struct Table: Decodable, Sendable {
        public let tableName: String
        public let tableArn: String?
        public let tableStatus: String
        public let itemCount: Int?
        public let tableSizeBytes: Int?
        public let keySchema: [KeyElement]
        public let billingModeSummary: BillingModeSummary?
        public let sseDescription: SSEDescription?
        public let provisionedThroughput: ProvisionedThroughput?

        /// PAY_PER_REQUEST or PROVISIONED (tables made before on-demand have no summary: provisioned).
        public var billingMode: String { billingModeSummary?.billingMode ?? "PROVISIONED" }
    }

    public struct KeyElement: Decodable, Sendable, Equatable {
        public let attributeName: String
        /// HASH or RANGE.
        public let keyType: String
    }

    public struct ProvisionedThroughput: Decodable, Sendable {
        public let readCapacityUnits: Int?
        public let writeCapacityUnits: Int?
    }

    public struct BillingModeSummary: Decodable, Sendable {
        public let billingMode: String?
    }

    public struct SSEDescription: Decodable, Sendable {
        public let status: String?
        public let sseType: String?
    }

    public func listTables(startAfter: String? = nil, limit: Int? = nil) async throws -> TablePage {
        var input: [String: any Sendable] = [:]
        if let startAfter { input["ExclusiveStartTableName"] = startAfter }
        if let limit { input["Limit"] = limit }
        return try await client.json(.dynamoDB, "ListTables", input, region: region)
    }

    /// Every table name, page by page.
    public func allTables() async throws -> [String] {
        var names: [String] = []
        var start: String?
        repeat {
            let page = try await listTables(startAfter: start)
            names += page.tableNames
            start = page.lastEvaluatedTableName
        } while start != nil
        return names
    }

    public func describeTable(_ name: String) async throws -> Table {
        struct Output: Decodable { let table: Table }
        return try await client.json(.dynamoDB, "DescribeTable", ["TableName": name], region: region, as: Output.self).table
    }
}
