import Foundation
import GafferAWS
import GafferCore
import GafferModels

/// Bedrock's Converse request shape and SigV4 signature, as documented, and its event-stream answer.
enum BedrockWireRules {
    static let topLevel: Set<String> = [
        "messages", "system", "inferenceConfig", "toolConfig", "guardrailConfig", "additionalModelRequestFields", "promptVariables",
        "additionalModelResponseFieldPaths", "requestMetadata", "performanceConfig",
    ]
    static let blockKinds: Set<String> = [
        "text", "image", "document", "video", "toolUse", "toolResult", "guardContent", "cachePoint", "reasoningContent",
    ]

    /// A refusal as Bedrock words it: the HTTP status, its `x-amzn-ErrorType`, and the message.
    struct Refusal: Error {
        var status: Int
        var type: String
        var message: String
    }

    /// Checks the signature against the sandbox's own copy of the secret, as AWS does: the scope must be for
    /// `bedrock` in the sandbox's region, the date recent, and the signature what the received request signs to.
    static func checkSignature(
        method: String,
        rawPath: String,
        headers: [String: String],
        body: Data,
        secrets: [String: String],
        region: String,
        now: Date
    ) -> Refusal? {
        guard let authorization = headers["authorization"], authorization.hasPrefix("AWS4-HMAC-SHA256 ") else {
            return Refusal(status: 403, type: "MissingAuthenticationTokenException", message: "Missing Authentication Token")
        }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { fields[pair[0]] = pair[1] }
        }
        let scope = (fields["Credential"] ?? "").split(separator: "/").map(String.init)
        guard scope.count == 5, let signedHeaders = fields["SignedHeaders"], let signature = fields["Signature"] else {
            return Refusal(
                status: 403,
                type: "IncompleteSignatureException",
                message: "Authorization header requires Credential, SignedHeaders and Signature"
            )
        }
        guard let secret = secrets[scope[0]] else {
            return Refusal(status: 403, type: "UnrecognizedClientException", message: "The security token included in the request is invalid.")
        }
        guard scope[2] == region, scope[3] == "bedrock", scope[4] == "aws4_request" else {
            return Refusal(
                status: 403,
                type: "InvalidSignatureException",
                message: "Credential should be scoped to a valid region and service: expected \(region)/bedrock, got \(scope[2])/\(scope[3])"
            )
        }
        let names = signedHeaders.split(separator: ";").map(String.init)
        guard names.contains("host"), names.contains("x-amz-date") else {
            return Refusal(status: 403, type: "InvalidSignatureException", message: "host and x-amz-date must be signed")
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        guard let stamp = headers["x-amz-date"], let date = formatter.date(from: stamp), stamp.hasPrefix(scope[1]) else {
            return Refusal(status: 403, type: "InvalidSignatureException", message: "X-Amz-Date is missing or does not match the credential's date")
        }
        guard abs(date.timeIntervalSince(now)) < 300 else {
            return Refusal(
                status: 403,
                type: "InvalidSignatureException",
                message: "Signature expired: \(stamp) is now earlier or later than 5 minutes"
            )
        }
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: scope[0], secretAccessKey: Secret(secret)),
            region: region,
            service: "bedrock"
        )
        let parts = HTTPRequestParts(
            method: method,
            path: rawPath,
            headers: names.filter { $0 != "x-amz-date" }.map { (name: $0, value: headers[$0] ?? "") },
            body: body
        )
        guard signer.sign(parts, at: date).signature == signature else {
            return Refusal(
                status: 403,
                type: "InvalidSignatureException",
                message:
                    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."
            )
        }
        return nil
    }

    /// What is wrong with the body, in the words Bedrock's validation uses; nil when it is well formed.
    static func problem(headers: [String: String], body: JSONValue) -> String? {
        guard headers["content-type"]?.hasPrefix("application/json") == true else { return "content-type must be application/json" }
        guard case .object(let fields) = body else { return "the body must be a JSON object" }
        if let extra = fields.keys.sorted().first(where: { !topLevel.contains($0) }) { return "extraneous key [\(extra)] is not permitted" }
        guard case .array(let messages)? = fields["messages"], !messages.isEmpty else {
            return "1 validation error detected: Value at 'messages' failed to satisfy constraint: Member must not be null"
        }
        if let system = fields["system"] {
            guard case .array(let blocks) = system, blocks.allSatisfy({ $0["text"]?.stringValue?.isEmpty == false }) else {
                return "system: must be a list of blocks, each with non-empty text"
            }
        }
        if let config = fields["inferenceConfig"] {
            guard case .object(let settings) = config else { return "inferenceConfig must be an object" }
            if let extra = settings.keys.sorted().first(where: { !["maxTokens", "temperature", "topP", "stopSequences"].contains($0) }) {
                return "extraneous key [\(extra)] is not permitted in inferenceConfig"
            }
            if let max = settings["maxTokens"], (max.intValue ?? 0) < 1 { return "inferenceConfig.maxTokens: must be an integer ≥ 1" }
        }
        var tools: Set<String> = []
        if let config = fields["toolConfig"] {
            guard case .array(let declared)? = config["tools"], !declared.isEmpty else { return "toolConfig.tools: must hold at least one tool" }
            for (index, tool) in declared.enumerated() {
                guard let spec = tool["toolSpec"], let name = spec["name"]?.stringValue, name.wholeMatch(of: /[a-zA-Z0-9_-]{1,64}/) != nil else {
                    return "toolConfig.tools.\(index).toolSpec.name: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+"
                }
                guard spec["inputSchema"]?["json"]?["type"]?.stringValue == "object" else {
                    return "toolConfig.tools.\(index).toolSpec.inputSchema.json: must be a JSON schema of type object"
                }
                tools.insert(name)
            }
            if let choice = config["toolChoice"] {
                guard case .object(let kinds) = choice, kinds.count == 1, let kind = kinds.keys.first else {
                    return "toolConfig.toolChoice: exactly one of auto, any or tool"
                }
                switch kind {
                case "auto", "any": break
                case "tool":
                    guard let name = kinds["tool"]?["name"]?.stringValue, tools.contains(name) else {
                        return "toolConfig.toolChoice.tool.name: names no tool in toolConfig.tools"
                    }
                default: return "toolConfig.toolChoice: \(kind) is not auto, any or tool"
                }
            }
        }
        var toolUseIDs: Set<String> = []
        for (index, message) in messages.enumerated() {
            let role = message["role"]?.stringValue
            guard role == "user" || role == "assistant" else {
                return "messages.\(index).role: Member must satisfy enum value set: [user, assistant]"
            }
            guard role == (index % 2 == 0 ? "user" : "assistant") else {
                return "A conversation must alternate between user and assistant roles, and start with a user message."
            }
            guard case .array(let blocks)? = message["content"], !blocks.isEmpty else { return "messages.\(index).content: must not be empty" }
            for (position, block) in blocks.enumerated() {
                let at = "messages.\(index).content.\(position)"
                guard case .object(let members) = block, members.count == 1, let kind = members.keys.first, blockKinds.contains(kind) else {
                    return "\(at): a content block holds exactly one member (text, toolUse, toolResult, …)"
                }
                switch (kind, role) {
                case ("text", _):
                    guard members["text"]?.stringValue?.isEmpty == false else {
                        return "\(at).text: The text field in the ContentBlock object is blank."
                    }
                case ("toolUse", "assistant"):
                    guard fields["toolConfig"] != nil else {
                        return "The toolConfig field must be defined when using toolUse and toolResult content blocks."
                    }
                    let use = members["toolUse"]
                    guard let id = use?["toolUseId"]?.stringValue, use?["name"]?.stringValue != nil, case .object? = use?["input"] else {
                        return "\(at).toolUse: needs toolUseId, name and an object input"
                    }
                    toolUseIDs.insert(id)
                case ("toolResult", "user"):
                    guard fields["toolConfig"] != nil else {
                        return "The toolConfig field must be defined when using toolUse and toolResult content blocks."
                    }
                    let result = members["toolResult"]
                    guard let id = result?["toolUseId"]?.stringValue, toolUseIDs.contains(id) else {
                        return "\(at).toolResult.toolUseId: the toolResult blocks must match the toolUse blocks of the previous turn"
                    }
                    guard case .array(let content)? = result?["content"], !content.isEmpty,
                        content.allSatisfy({ $0["text"]?.stringValue != nil || $0["json"] != nil })
                    else { return "\(at).toolResult.content: a list of text or json blocks" }
                    if let status = result?["status"]?.stringValue, status != "success", status != "error" {
                        return "\(at).toolResult.status: Member must satisfy enum value set: [success, error]"
                    }
                default: return "\(at): a \(role ?? "") message may not carry a \(kind) block"
                }
            }
        }
        if messages.last?["role"]?.stringValue != "user" { return "A conversation must end with a user message." }
        return nil
    }

    /// The event-stream messages of a streamed answer, as in Bedrock's `ConverseStream` reference. Each payload carries
    /// the `p` padding field Bedrock adds, which a client must ignore.
    static func messages(_ turn: ScriptedTurn) -> [EventStreamMessage] {
        var messages: [EventStreamMessage] = []
        func send(_ type: String, _ payload: [String: JSONValue]) {
            var payload = payload
            payload["p"] = .string(String("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0".prefix(7 + messages.count % 20)))
            messages.append(
                EventStreamMessage(
                    headers: [":event-type": type, ":content-type": "application/json", ":message-type": "event"],
                    payload: Array(JSONValue.object(payload).serialized())
                )
            )
        }
        send("messageStart", ["role": "assistant"])
        var index = 0
        if !turn.text.isEmpty {
            for piece in turn.textPieces { send("contentBlockDelta", ["contentBlockIndex": 0, "delta": .object(["text": .string(piece)])]) }
            send("contentBlockStop", ["contentBlockIndex": 0])
            index = 1
        }
        for use in turn.toolUses {
            let at = JSONValue.number(Decimal(index))
            send(
                "contentBlockStart",
                ["contentBlockIndex": at, "start": .object(["toolUse": .object(["toolUseId": .string(use.id), "name": .string(use.name)])])]
            )
            for piece in ScriptedTurn.thirds(String(decoding: use.input.serialized(), as: UTF8.self)) {
                send("contentBlockDelta", ["contentBlockIndex": at, "delta": .object(["toolUse": .object(["input": .string(piece)])])])
            }
            send("contentBlockStop", ["contentBlockIndex": at])
            index += 1
        }
        send("messageStop", ["stopReason": turn.toolUses.isEmpty ? "end_turn" : "tool_use"])
        send(
            "metadata",
            [
                "usage": .object([
                    "inputTokens": .number(Decimal(turn.inputTokens)), "outputTokens": .number(Decimal(turn.outputTokens)),
                    "totalTokens": .number(Decimal(turn.inputTokens + turn.outputTokens)),
                    "cacheReadInputTokens": .number(Decimal(turn.cacheReadTokens)),
                ]),
                "metrics": .object(["latencyMs": 42]),
            ]
        )
        return messages
    }

    /// An exception in the stream, as Bedrock sends one mid-answer.
    static func exception(_ type: String, message: String) -> EventStreamMessage {
        EventStreamMessage(
            headers: [":exception-type": type, ":content-type": "application/json", ":message-type": "exception"],
            payload: Array(JSONValue.object(["message": .string(message)]).serialized())
        )
    }
}
