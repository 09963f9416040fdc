/// The Resource Groups Tagging API (JSON 1.1): every tagged resource of a region, by tag.
public struct ResourceGroupsTagging: Sendable {
    public let client: AWSClient
    public var region: String?

    public init(_ client: AWSClient, region: String? = nil) {
        self.client = client
        self.region = region
    }

    public struct Resource: Sendable, Equatable {
        public let arn: String
        public let tags: [String: String]

        /// The service part of the ARN (`s3`, `dynamodb`).
        public var service: String {
            let parts = arn.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
            return parts.count > 2 ? String(parts[2]) : ""
        }
    }

    public struct Page: Sendable {
        public let resources: [Resource]
        public let paginationToken: String?
    }

    /// One page of resources carrying every tag in `tags` (a nil value matches any value of that key).
    public func getResources(tags: [String: String?] = [:], resourceTypes: [String] = [], paginationToken: String? = nil) async throws -> Page {
        struct Tag: Decodable {
            let key: String
            let value: String
        }
        struct Mapping: Decodable {
            let resourceARN: String
            let tags: [Tag]?
        }
        struct Output: Decodable {
            let resourceTagMappingList: [Mapping]?
            let paginationToken: String?
        }
        var input: [String: any Sendable] = [:]
        if !tags.isEmpty {
            input["TagFilters"] = tags.sorted { $0.key < $1.key }.map { key, value -> [String: any Sendable] in
                value.map { ["Key": key, "Values": [$0]] } ?? ["Key": key]
            }
        }
        if !resourceTypes.isEmpty { input["ResourceTypeFilters"] = resourceTypes }
        if let paginationToken { input["PaginationToken"] = paginationToken }
        let output = try await client.json(.resourceGroupsTagging, "GetResources", input, region: region, as: Output.self)
        return Page(
            resources: (output.resourceTagMappingList ?? []).map { mapping in
                Resource(
                    arn: mapping.resourceARN,
                    tags: Dictionary((mapping.tags ?? []).map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
                )
            },
            paginationToken: output.paginationToken.flatMap { $0.isEmpty ? nil : $0 }
        )
    }

    /// Every page.
    public func allResources(tags: [String: String?] = [:]) async throws -> [Resource] {
        var resources: [Resource] = []
        var token: String?
        repeat {
            let page = try await getResources(tags: tags, paginationToken: token)
            resources += page.resources
            token = page.paginationToken
        } while token != nil
        return resources
    }
}
