/// Amazon ECS (JSON 1.1): clusters and their services.
public struct ECS: Sendable {
    public let client: AWSClient
    public var region: String?

    public init(_ client: AWSClient, region: String? = nil) {
        self.client = client
        self.region = region
    }

    public struct Service: Decodable, Sendable {
        public let serviceArn: String
        public let serviceName: String
        public let clusterArn: String?
        public let status: String?
        public let desiredCount: Int?
        public let runningCount: Int?
        public let deployments: [Deployment]?
    }

    public struct Deployment: Decodable, Sendable {
        public let id: String
        public let status: String?
    }

    private struct Page: Decodable {
        let clusterArns: [String]?
        let serviceArns: [String]?
        let nextToken: String?
    }

    /// Every cluster's ARN, page by page.
    public func listClusters() async throws -> [String] {
        try await pages("ListClusters", [:]) { $0.clusterArns }
    }

    /// Every service ARN in the cluster, page by page.
    public func listServices(cluster: String) async throws -> [String] {
        try await pages("ListServices", ["cluster": cluster]) { $0.serviceArns }
    }

    /// The services' counts; ECS takes at most 10 per call.
    public func describeServices(_ arns: [String], cluster: String) async throws -> [Service] {
        struct Output: Decodable { let services: [Service]? }
        var services: [Service] = []
        for start in stride(from: 0, to: arns.count, by: 10) {
            let batch = Array(arns[start..<min(start + 10, arns.count)])
            services +=
                try await client.json(.ecs, "DescribeServices", ["cluster": cluster, "services": batch], region: region, as: Output.self)
                .services ?? []
        }
        return services
    }

    /// Replaces the service's tasks with new ones of the same definition: a restart.
    public func forceNewDeployment(_ service: String, cluster: String) async throws {
        struct Output: Decodable { let service: Service? }
        _ = try await client.json(
            .ecs,
            "UpdateService",
            ["cluster": cluster, "service": service, "forceNewDeployment": true],
            region: region,
            as: Output.self
        )
    }

    private func pages(_ operation: String, _ input: [String: any Sendable], _ items: (Page) -> [String]?) async throws -> [String] {
        var all: [String] = []
        var token: String?
        repeat {
            var request = input
            if let token { request["nextToken"] = token }
            let page = try await client.json(.ecs, operation, request, region: region, as: Page.self)
            all += items(page) ?? []
            token = page.nextToken.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return all
    }
}
