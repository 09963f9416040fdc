import Foundation
import GafferCore

/// One tool Gaffer offers an assistant over MCP: its name, what it does, its input's JSON schema, and the call.
/// A tool that changes anything says so (`readOnly` false) and is offered only when the operator enables it.
public protocol GafferTool: Sendable {
    var name: String { get }
    var description: String { get }
    /// A JSON schema of `type: object`.
    var inputSchema: JSONValue { get }
    var readOnly: Bool { get }
    /// The tool's answer, as JSON. Throw `ToolInputError` for arguments that are wrong, saying how to fix them.
    func call(_ arguments: [String: JSONValue]) async throws -> JSONValue
}

/// Arguments a tool cannot use: the message says what is wrong and what would be right.
public struct ToolInputError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension [String: JSONValue] {
    /// A required string argument.
    func string(_ key: String) throws -> String {
        guard let value = self[key]?.stringValue, !value.isEmpty else { throw ToolInputError("`\(key)` is required: a non-empty string") }
        return value
    }

    /// A whole number argument in `range`, or `fallback` when absent.
    func integer(_ key: String, in range: ClosedRange<Int>, default fallback: Int) throws -> Int {
        guard let value = self[key], value != .null else { return fallback }
        guard let number = value.intValue, range.contains(number) else {
            throw ToolInputError("`\(key)` must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// The task a tool is about: `repository` (`owner/name`) and `issue`.
    func task() throws -> (repository: String, issue: Int) {
        let repository = try string("repository")
        guard repository.split(separator: "/").count == 2 else { throw ToolInputError("`repository` must be owner/name, such as acme/infra") }
        return (repository, try integer("issue", in: 1...Int(Int32.max), default: 0))
    }
}

/// Schema pieces the tools share.
enum ToolSchema {
    static func object(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        .object([
            "type": "object", "properties": .object(properties), "required": .array(required.map { .string($0) }),
            "additionalProperties": false,
        ])
    }

    static func string(_ description: String) -> JSONValue { .object(["type": "string", "description": .string(description)]) }
    static func integer(_ description: String) -> JSONValue { .object(["type": "integer", "description": .string(description)]) }

    /// Any Encodable value as JSON, through Gaffer's own encoding (dates as ISO 8601).
    static func json(_ value: some Encodable) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return try JSONValue.decode(try encoder.encode(value))
    }
}
