import Foundation
import GafferCore

/// One piece of a message: text, a tool the model asks to use, or what that tool answered.
public enum ModelContent: Sendable, Hashable, Codable {
    case text(String)
    /// The model asks Gaffer to run `name` with `input` (an object matching the tool's schema).
    case toolUse(id: String, name: String, input: JSONValue)
    /// Gaffer's answer to the tool use `id`: what the tool returned, or why it failed.
    case toolResult(id: String, content: String, isError: Bool)

    public var text: String? {
        if case .text(let text) = self { return text }
        return nil
    }
}

/// A turn of the conversation.
public struct ModelMessage: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable { case user, assistant }
    public var role: Role
    public var content: [ModelContent]

    public init(role: Role, content: [ModelContent]) {
        self.role = role
        self.content = content
    }

    public static func user(_ text: String) -> ModelMessage { ModelMessage(role: .user, content: [.text(text)]) }
}

/// A tool the model may ask for: its input is described by a JSON schema.
public struct ModelTool: Sendable, Hashable, Codable {
    public var name: String
    public var description: String
    /// A JSON schema of `type: object`.
    public var inputSchema: JSONValue

    public init(name: String, description: String, inputSchema: JSONValue) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
    }
}

/// Whether the model must use a tool.
public enum ModelToolChoice: Sendable, Hashable {
    case auto
    /// Any of the tools, but one.
    case any
    case tool(String)
}

/// What Gaffer asks a model.
public struct ModelRequest: Sendable, Hashable {
    /// The provider's model id (`claude-sonnet-4-5`, `gpt-4.1`).
    public var model: String
    /// Gaffer's instructions; issue and comment text never goes here, only into user messages.
    public var system: String
    public var messages: [ModelMessage]
    public var tools: [ModelTool]
    public var toolChoice: ModelToolChoice?
    /// The most output tokens the answer may have; the budget counts all of them before the call.
    public var maxTokens: Int

    public init(
        model: String,
        system: String,
        messages: [ModelMessage],
        tools: [ModelTool] = [],
        toolChoice: ModelToolChoice? = nil,
        maxTokens: Int = 2048
    ) {
        self.model = model
        self.system = system
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.maxTokens = maxTokens
    }
}

/// Tokens a call used, as the provider counted them.
public struct ModelUsage: Sendable, Hashable, Codable {
    /// Input tokens billed at the full rate (cache reads and writes are counted apart).
    public var inputTokens: Int
    public var outputTokens: Int
    public var cacheWriteTokens: Int
    public var cacheReadTokens: Int

    public init(inputTokens: Int = 0, outputTokens: Int = 0, cacheWriteTokens: Int = 0, cacheReadTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.cacheReadTokens = cacheReadTokens
    }
}

/// Why the model stopped.
public enum ModelStopReason: String, Sendable, Hashable, Codable {
    case endTurn = "end_turn"
    case toolUse = "tool_use"
    case maxTokens = "max_tokens"
    case stopSequence = "stop_sequence"
    case refusal
    case other
}

/// A whole answer.
public struct ModelResponse: Sendable, Hashable {
    public var model: String
    public var content: [ModelContent]
    public var stopReason: ModelStopReason
    public var usage: ModelUsage

    public init(model: String, content: [ModelContent], stopReason: ModelStopReason, usage: ModelUsage) {
        self.model = model
        self.content = content
        self.stopReason = stopReason
        self.usage = usage
    }

    /// The answer's text, its pieces joined.
    public var text: String { content.compactMap(\.text).joined() }

    /// The tool uses, in the order the model asked.
    public var toolUses: [(id: String, name: String, input: JSONValue)] {
        content.compactMap { if case .toolUse(let id, let name, let input) = $0 { (id, name, input) } else { nil } }
    }
}

/// What a streamed answer reports as it arrives.
public enum ModelStreamEvent: Sendable, Hashable {
    case textDelta(String)
    /// A tool use whose input has arrived whole.
    case toolUse(id: String, name: String, input: JSONValue)
    /// The end: the whole answer.
    case done(ModelResponse)
}
