import Foundation
import GafferCore

/// The Messages API's request shape, as documented, and its streamed events.
enum AnthropicWireRules {
    static let topLevel: Set<String> = [
        "model", "max_tokens", "messages", "system", "stream", "tools", "tool_choice", "temperature", "top_p", "top_k",
        "stop_sequences", "metadata", "thinking", "service_tier",
    ]

    /// What is wrong with the request, in the words Anthropic's API uses; nil when it is well formed.
    static func problem(headers: [String: String], body: JSONValue) -> String? {
        guard headers["anthropic-version"] != nil else { return "anthropic-version: header is required" }
        guard headers["content-type"]?.hasPrefix("application/json") == true else { return "content-type must be application/json" }
        guard case .object(let fields) = body else { return "the body must be an object" }
        if let extra = fields.keys.sorted().first(where: { !topLevel.contains($0) }) { return "\(extra): Extra inputs are not permitted" }
        guard let model = fields["model"]?.stringValue, !model.isEmpty else { return "model: Field required" }
        guard let maxTokens = fields["max_tokens"]?.intValue, maxTokens >= 1 else { return "max_tokens: Field required (an integer ≥ 1)" }
        if let stream = fields["stream"], stream.boolValue == nil { return "stream: Input should be a valid boolean" }
        switch fields["system"] {
        case nil, .string?, .array?: break
        default: return "system: Input should be a string or a list of text blocks"
        }
        guard case .array(let messages)? = fields["messages"], !messages.isEmpty else { return "messages: at least one message is required" }
        var toolUseIDs: Set<String> = []
        var tools: Set<String> = []
        if let list = fields["tools"] {
            guard case .array(let declared) = list else { return "tools: Input should be a valid list" }
            for (index, tool) in declared.enumerated() {
                guard let name = tool["name"]?.stringValue, name.wholeMatch(of: /[a-zA-Z0-9_-]{1,64}/) != nil else {
                    return "tools.\(index).name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'"
                }
                guard tool["input_schema"]?["type"]?.stringValue == "object" else {
                    return "tools.\(index).input_schema.type: Input should be 'object'"
                }
                tools.insert(name)
            }
        }
        if let choice = fields["tool_choice"] {
            switch choice["type"]?.stringValue {
            case "auto", "any", "none": break
            case "tool":
                guard let name = choice["name"]?.stringValue, tools.contains(name) else { return "tool_choice.name: names no tool in tools" }
            default: return "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'"
            }
        }
        for (index, message) in messages.enumerated() {
            let role = message["role"]?.stringValue
            let expected = index % 2 == 0 ? "user" : "assistant"
            guard role == "user" || role == "assistant" else { return "messages.\(index).role: Input should be 'user' or 'assistant'" }
            // Consecutive turns of one role are merged by the API, but Gaffer alternates; a repeat is a bug here.
            guard role == expected else { return "messages.\(index): roles must alternate, starting with user" }
            let blocks: [JSONValue]
            switch message["content"] {
            case .string(let text)?: blocks = [.object(["type": "text", "text": .string(text)])]
            case .array(let list)?: blocks = list
            default: return "messages.\(index).content: Field required"
            }
            for (position, block) in blocks.enumerated() {
                let at = "messages.\(index).content.\(position)"
                switch (block["type"]?.stringValue, role) {
                case ("text", _):
                    guard let text = block["text"]?.stringValue, !text.isEmpty else { return "\(at).text: text content blocks must be non-empty" }
                case ("tool_use", "assistant"):
                    guard let id = block["id"]?.stringValue, block["name"]?.stringValue != nil, case .object = block["input"] ?? .null else {
                        return "\(at): a tool_use block needs id, name and an object input"
                    }
                    toolUseIDs.insert(id)
                case ("tool_result", "user"):
                    guard let id = block["tool_use_id"]?.stringValue, toolUseIDs.contains(id) else {
                        return
                            "\(at).tool_use_id: unexpected `tool_use_id` found in `tool_result` blocks; each must have a corresponding `tool_use` block before it"
                    }
                default: return "\(at).type: not a block a \(role ?? "") message may carry"
                }
            }
        }
        if messages.last?["role"]?.stringValue != "user" { return "messages: the last message must be from the user" }
        return nil
    }

    /// The events of a streamed answer, as in Anthropic's streaming documentation.
    static func events(_ turn: ScriptedTurn, model: String) -> [String] {
        var events: [String] = []
        func send(_ name: String, _ data: JSONValue) {
            let json = String(decoding: (try? data.encoded()) ?? Data(), as: UTF8.self)
            events.append("event: \(name)\ndata: \(json)\n\n")
        }
        send(
            "message_start",
            .object([
                "type": "message_start",
                "message": .object([
                    "id": "msg_sandbox", "type": "message", "role": "assistant", "content": .array([]), "model": .string(model),
                    "stop_reason": .null, "stop_sequence": .null,
                    "usage": .object([
                        "input_tokens": .number(Decimal(turn.inputTokens)), "output_tokens": 1,
                        "cache_creation_input_tokens": 0, "cache_read_input_tokens": .number(Decimal(turn.cacheReadTokens)),
                    ]),
                ]),
            ])
        )
        events.append(": keep-alive comment\n\n")
        send("ping", .object(["type": "ping"]))
        var index = 0
        if !turn.text.isEmpty {
            send(
                "content_block_start",
                .object(["type": "content_block_start", "index": 0, "content_block": .object(["type": "text", "text": ""])])
            )
            for piece in turn.textPieces {
                send(
                    "content_block_delta",
                    .object(["type": "content_block_delta", "index": 0, "delta": .object(["type": "text_delta", "text": .string(piece)])])
                )
            }
            send("content_block_stop", .object(["type": "content_block_stop", "index": 0]))
            index = 1
        }
        for use in turn.toolUses {
            let at = JSONValue.number(Decimal(index))
            send(
                "content_block_start",
                .object([
                    "type": "content_block_start", "index": at,
                    "content_block": .object(["type": "tool_use", "id": .string(use.id), "name": .string(use.name), "input": .object([:])]),
                ])
            )
            let json = String(decoding: (try? use.input.encoded()) ?? Data(), as: UTF8.self)
            for piece in ScriptedTurn.thirds(json) {
                send(
                    "content_block_delta",
                    .object([
                        "type": "content_block_delta", "index": at, "delta": .object(["type": "input_json_delta", "partial_json": .string(piece)]),
                    ])
                )
            }
            send("content_block_stop", .object(["type": "content_block_stop", "index": at]))
            index += 1
        }
        send(
            "message_delta",
            .object([
                "type": "message_delta",
                "delta": .object(["stop_reason": turn.toolUses.isEmpty ? "end_turn" : "tool_use", "stop_sequence": .null]),
                "usage": .object(["output_tokens": .number(Decimal(turn.outputTokens))]),
            ])
        )
        send("message_stop", .object(["type": "message_stop"]))
        return events
    }
}
