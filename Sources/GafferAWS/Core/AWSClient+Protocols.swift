import Foundation

/// The wire protocols: how an operation's input goes out and its output comes back.
extension AWSClient {
    /// Query (and EC2) protocol: a form-encoded POST, an XML answer. Returns the `<ActionResult>`
    /// element (EC2 and S3-style answers have none: the root is returned). `unsigned` sends no signature.
    public func query(
        _ service: AWSService,
        _ action: String,
        _ parameters: [(String, String)] = [],
        region: String? = nil,
        unsigned: Bool = false
    ) async throws -> XMLNode {
        let version: String
        switch service.wireProtocol {
        case .query(let value), .ec2(let value): version = value
        default: throw AWSClientError("\(service.id) does not speak the query protocol")
        }
        // Spaces as `+`, as the SDKs write forms: AWS reads either, but local endpoints (moto) re-encode
        // the form this way before checking the signature.
        func formEncode(_ text: String) -> String { SigV4Signer.encode(text).replacingOccurrences(of: "%20", with: "+") }
        let form = ([("Action", action), ("Version", version)] + parameters).map { formEncode($0.0) + "=" + formEncode($0.1) }.joined(separator: "&")
        var request = AWSRequest(
            operation: action,
            method: "POST",
            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: Data(form.utf8)
        )
        request.unsigned = unsigned
        let response = try await send(request, to: service, region: region)
        let root = try Self.xml(response, service: service, operation: action)
        return root[action + "Result"] ?? root
    }

    /// JSON protocol (1.0 and 1.1): a POST naming the operation in `X-Amz-Target`.
    public func json<Output: Decodable>(
        _ service: AWSService,
        _ operation: String,
        _ input: [String: any Sendable] = [:],
        region: String? = nil,
        as: Output.Type = Output.self
    ) async throws -> Output {
        guard case .json(let version, let prefix) = service.wireProtocol else {
            throw AWSClientError("\(service.id) does not speak the JSON protocol")
        }
        let body = try JSONSerialization.data(withJSONObject: input, options: [.sortedKeys])
        let request = AWSRequest(
            operation: operation,
            method: "POST",
            headers: [("Content-Type", "application/x-amz-json-\(version)"), ("X-Amz-Target", "\(prefix).\(operation)")],
            body: body
        )
        let response = try await send(request, to: service, region: region)
        return try Self.decodeJSON(Output.self, response.body, from: "\(service.id) \(operation)")
    }

    static func xml(_ response: AWSHTTPResponse, service: AWSService, operation: String) throws -> XMLNode {
        do {
            return try XMLNode.parse(response.body)
        } catch {
            throw AWSClientError("\(service.id) \(operation): \(error)")
        }
    }

    /// Decodes AWS's PascalCase JSON into Swift's camelCase properties.
    /// `source` names the answer in the error: "DynamoDB DescribeTable", "the container credentials endpoint".
    /// The answer itself is never quoted: it may hold credentials, a secret or a function's environment.
    static func decodeJSON<Output: Decodable>(_ type: Output.Type, _ data: Data, from source: String) throws -> Output {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in
            PascalCaseKey(stringValue: camelCase(path[path.count - 1].stringValue))
        }
        do {
            return try decoder.decode(Output.self, from: data.isEmpty ? Data("{}".utf8) : data)
        } catch {
            throw AWSClientError("\(source): the answer (\(data.count) bytes) could not be read: \(error)")
        }
    }
}

/// `TableName` → `tableName`, `SSEDescription` → `sseDescription`, `ARN` → `arn`: the leading capitals
/// of an initialism are lowered, all but the one that starts the next word.
func camelCase(_ key: String) -> String {
    let capitals = key.prefix { $0.isUppercase }.count
    let lowered = capitals == key.count ? capitals : max(1, capitals - 1)
    return key.prefix(lowered).lowercased() + key.dropFirst(lowered)
}

private struct PascalCaseKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Query-protocol parameters: nested lists and maps flattened as `Name.member.N.Field`.
struct QueryParameters {
    private(set) var pairs: [(String, String)] = []

    mutating func add(_ name: String, _ value: String?) {
        if let value { pairs.append((name, value)) }
    }

    mutating func add(_ name: String, _ value: Int?) { add(name, value.map(String.init)) }

    /// `Name.member.1=a&Name.member.2=b` (query) or `Name.1=a` (EC2, with `member: nil`).
    mutating func list(_ name: String, _ values: [String], member: String? = "member") {
        for (index, value) in values.enumerated() { add([name, member, String(index + 1)].compactMap { $0 }.joined(separator: "."), value) }
    }

    /// A list of structures: each entry's fields under `Name.member.N.`.
    mutating func structures(_ name: String, _ entries: [[(String, String)]], member: String? = "member") {
        for (index, fields) in entries.enumerated() {
            let prefix = [name, member, String(index + 1)].compactMap { $0 }.joined(separator: ".")
            for (field, value) in fields { add(prefix + "." + field, value) }
        }
    }

    /// Tags as `Tags.member.N.Key` / `.Value`, in key order.
    mutating func tags(_ name: String, _ tags: [String: String], member: String? = "member") {
        structures(name, tags.sorted { $0.key < $1.key }.map { [("Key", $0.key), ("Value", $0.value)] }, member: member)
    }
}
