/// Amazon RDS (query protocol).
public struct RDS: Sendable {
    public let client: AWSClient
    public var region: String?

    public init(_ client: AWSClient, region: String? = nil) {
        self.client = client
        self.region = region
    }

    public struct DBInstance: Sendable {
        public let identifier: String
        public let instanceClass: String
        public let engine: String
        public let status: String
        public let multiAZ: Bool
        public let storageEncrypted: Bool
        public let publiclyAccessible: Bool
        public let endpointAddress: String?
        public let arn: String?
        public let allocatedStorageGiB: Int?
    }

    /// The instance named, or every instance page by page.
    public func describeDBInstances(identifier: String? = nil) async throws -> [DBInstance] {
        var items: [XMLNode] = []
        var marker: String?
        repeat {
            var parameters = QueryParameters()
            parameters.add("DBInstanceIdentifier", identifier)
            parameters.add("Marker", marker)
            let page = try await client.query(.rds, "DescribeDBInstances", parameters.pairs, region: region)
            items += page.list("DBInstances")
            marker = page.string("Marker").flatMap { $0.isEmpty ? nil : $0 }
        } while marker != nil
        return items.map { item in
            DBInstance(
                identifier: item.string("DBInstanceIdentifier") ?? "",
                instanceClass: item.string("DBInstanceClass") ?? "",
                engine: item.string("Engine") ?? "",
                status: item.string("DBInstanceStatus") ?? "",
                multiAZ: item.bool("MultiAZ") ?? false,
                storageEncrypted: item.bool("StorageEncrypted") ?? false,
                publiclyAccessible: item.bool("PubliclyAccessible") ?? false,
                endpointAddress: item.at("Endpoint", "Address")?.text,
                arn: item.string("DBInstanceArn"),
                allocatedStorageGiB: item.int("AllocatedStorage")
            )
        }
    }
}
