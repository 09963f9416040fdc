import Foundation

/// AWS Lambda (rest-json).
public struct Lambda: Sendable {
    public let client: AWSClient
    public var region: String?

    public init(_ client: AWSClient, region: String? = nil) {
        self.client = client
        self.region = region
    }

    public struct Function: Decodable, Sendable {
        public let functionName: String
        public let functionArn: String
        public let runtime: String?
        public let handler: String?
        public let memorySize: Int?
        public let timeout: Int?
        public let lastModified: String?
        public let role: String?
    }

    public struct FunctionPage: Decodable, Sendable {
        public let functions: [Function]
        public let nextMarker: String?
    }

    public struct FunctionDetails: Decodable, Sendable {
        public let configuration: Function
        public let tags: [String: String]?
    }

    public func listFunctions(marker: String? = nil, maxItems: Int? = nil) async throws -> FunctionPage {
        var query: [(name: String, value: String)] = []
        if let marker { query.append(("Marker", marker)) }
        if let maxItems { query.append(("MaxItems", String(maxItems))) }
        return try await get("ListFunctions", "/2015-03-31/functions/", query: query)
    }

    /// Every function, page by page.
    public func allFunctions() async throws -> [Function] {
        var functions: [Function] = []
        var marker: String?
        repeat {
            let page = try await listFunctions(marker: marker)
            functions += page.functions
            marker = page.nextMarker.flatMap { $0.isEmpty ? nil : $0 }
        } while marker != nil
        return functions
    }

    /// A function by name or ARN, with its tags.
    public func getFunction(_ name: String) async throws -> FunctionDetails {
        try await get("GetFunction", "/2015-03-31/functions/" + SigV4Signer.encode(name))
    }

    private func get<Output: Decodable>(_ operation: String, _ path: String, query: [(name: String, value: String)] = []) async throws -> Output {
        let response = try await client.send(AWSRequest(operation: operation, method: "GET", path: path, query: query), to: .lambda, region: region)
        return try AWSClient.decodeJSON(Output.self, response.body, from: "Lambda \(operation)")
    }
}
