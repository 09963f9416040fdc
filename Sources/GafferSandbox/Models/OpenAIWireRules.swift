import Foundation
import GafferCore

/// The chat completions request shape, as OpenAI documents it, and its streamed chunks.
enum OpenAIWireRules {
    static let topLevel: Set<String> = [
        "model", "messages", "max_tokens", "max_completion_tokens", "stream", "stream_options", "tools", "tool_choice", "temperature",
        "top_p", "n", "stop", "seed", "user", "response_format", "parallel_tool_calls", "frequency_penalty", "presence_penalty",
    ]

    static func problem(headers: [String: String], body: JSONValue) -> String? {
        guard headers["content-type"]?.hasPrefix("application/json") == true else { return "content-type must be application/json" }
        guard case .object(let fields) = body else { return "the body must be an object" }
        if let extra = fields.keys.sorted().first(where: { !topLevel.contains($0) }) { return "Unrecognized request argument supplied: \(extra)" }
        guard let model = fields["model"]?.stringValue, !model.isEmpty else { return "you must provide a model parameter" }
        if let max = fields["max_tokens"], (max.intValue ?? 0) < 1 { return "max_tokens: expected an integer ≥ 1" }
        if let options = fields["stream_options"] {
            guard fields["stream"]?.boolValue == true else { return "The 'stream_options' parameter is only allowed when 'stream' is enabled." }
            guard options["include_usage"]?.boolValue != nil else { return "stream_options.include_usage: expected a boolean" }
        }
        var tools: Set<String> = []
        if let list = fields["tools"] {
            guard case .array(let declared) = list else { return "tools: expected an array" }
            for (index, tool) in declared.enumerated() {
                guard tool["type"]?.stringValue == "function", let name = tool["function"]?["name"]?.stringValue,
                    name.wholeMatch(of: /[a-zA-Z0-9_-]{1,64}/) != nil
                else { return "tools[\(index)]: expected type 'function' and a function name matching ^[a-zA-Z0-9_-]{1,64}$" }
                if let parameters = tool["function"]?["parameters"], parameters["type"]?.stringValue != "object" {
                    return "tools[\(index)].function.parameters: schema must be a JSON Schema of 'type: \"object\"'"
                }
                tools.insert(name)
            }
        }
        switch fields["tool_choice"] {
        case nil, .string("auto")?, .string("none")?, .string("required")?: break
        case let choice?:
            guard choice["type"]?.stringValue == "function", let name = choice["function"]?["name"]?.stringValue, tools.contains(name) else {
                return "tool_choice: expected 'auto', 'none', 'required' or a function named in tools"
            }
        }
        guard case .array(let messages)? = fields["messages"], !messages.isEmpty else { return "messages: expected a non-empty array" }
        var open: Set<String> = []
        for (index, message) in messages.enumerated() {
            let at = "messages[\(index)]"
            switch message["role"]?.stringValue {
            case "system", "developer", "user":
                guard message["content"]?.stringValue != nil || { if case .array = message["content"] ?? .null { true } else { false } }() else {
                    return "\(at).content: expected a string or an array of parts"
                }
                guard open.isEmpty else {
                    return "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'."
                }
            case "assistant":
                guard open.isEmpty else {
                    return "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'."
                }
                if case .array(let calls)? = message["tool_calls"] {
                    for call in calls {
                        guard let id = call["id"]?.stringValue, call["type"]?.stringValue == "function",
                            call["function"]?["name"]?.stringValue != nil,
                            let arguments = call["function"]?["arguments"]?.stringValue,
                            (try? JSONValue.decode(Data(arguments.utf8))) != nil
                        else { return "\(at).tool_calls: each needs an id, type 'function', a name and arguments as a JSON string" }
                        open.insert(id)
                    }
                } else if message["content"]?.stringValue == nil {
                    return "\(at).content: an assistant message needs content or tool_calls"
                }
            case "tool":
                guard let id = message["tool_call_id"]?.stringValue, open.remove(id) != nil else {
                    return "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'."
                }
            default: return "\(at).role: expected one of system, developer, user, assistant, tool"
            }
        }
        return nil
    }

    /// The chunks of a streamed answer with usage, then `[DONE]`.
    static func events(_ turn: ScriptedTurn, model: String) -> [String] {
        var events: [String] = []
        func send(_ delta: JSONValue, finish: String? = nil) {
            let chunk: JSONValue = .object([
                "id": "chatcmpl-sandbox", "object": "chat.completion.chunk", "created": 1_800_000_000, "model": .string(model),
                "choices": .array([.object(["index": 0, "delta": delta, "logprobs": .null, "finish_reason": finish.map { .string($0) } ?? .null])]),
            ])
            events.append("data: \(String(decoding: (try? chunk.encoded()) ?? Data(), as: UTF8.self))\n\n")
        }
        send(.object(["role": "assistant", "content": ""]))
        for piece in turn.textPieces { send(.object(["content": .string(piece)])) }
        for (index, use) in turn.toolUses.enumerated() {
            let json = String(decoding: (try? use.input.encoded()) ?? Data(), as: UTF8.self)
            send(
                .object([
                    "tool_calls": .array([
                        .object([
                            "index": .number(Decimal(index)), "id": .string(use.id), "type": "function",
                            "function": .object(["name": .string(use.name), "arguments": ""]),
                        ])
                    ])
                ])
            )
            for piece in ScriptedTurn.thirds(json) {
                send(
                    .object(["tool_calls": .array([.object(["index": .number(Decimal(index)), "function": .object(["arguments": .string(piece)])])])])
                )
            }
        }
        send(.object([:]), finish: turn.toolUses.isEmpty ? "stop" : "tool_calls")
        let usage: JSONValue = .object([
            "id": "chatcmpl-sandbox", "object": "chat.completion.chunk", "created": 1_800_000_000, "model": .string(model), "choices": .array([]),
            "usage": .object([
                "prompt_tokens": .number(Decimal(turn.inputTokens + turn.cacheReadTokens)),
                "completion_tokens": .number(Decimal(turn.outputTokens)),
                "total_tokens": .number(Decimal(turn.inputTokens + turn.cacheReadTokens + turn.outputTokens)),
                "prompt_tokens_details": .object(["cached_tokens": .number(Decimal(turn.cacheReadTokens))]),
            ]),
        ])
        events.append("data: \(String(decoding: (try? usage.encoded()) ?? Data(), as: UTF8.self))\n\n")
        events.append("data: [DONE]\n\n")
        return events
    }
}
