import Foundation
import GafferCore

/// The wire work a provider client does around a call, without the network: a request's body, and an answer
/// read from the bytes of its event stream (a recorded conversation replayed, or a benchmark of Gaffer's own part).
public enum ModelWireCodec {
    public enum API: String, Sendable, CaseIterable { case anthropic, openai }

    /// The body the client would send.
    public static func requestBody(_ request: ModelRequest, api: API) throws -> Data {
        switch api {
        case .anthropic: AnthropicMessagesProvider.body(request).serialized()
        case .openai: try OpenAIChatProvider.body(request).serialized()
        }
    }

    /// The answer the client would make of a streamed body, fed to it in `chunk`-byte pieces.
    public static func response(streamed bytes: [UInt8], api: API, model: String, chunk: Int = 4096) throws -> ModelResponse {
        var parser = ServerSentEventParser()
        var events: [ModelStreamEvent] = []
        switch api {
        case .anthropic:
            var decoder = AnthropicStreamDecoder(provider: api.rawValue, model: model)
            try feed(bytes, chunk: chunk, parser: &parser) { events += try decoder.read($0) }
            events += try decoder.finish()
        case .openai:
            var decoder = OpenAIStreamDecoder(provider: api.rawValue, model: model)
            try feed(bytes, chunk: chunk, parser: &parser) { events += try decoder.read($0) }
            events += try decoder.finish()
        }
        guard case .done(let response)? = events.last else {
            throw ModelError(provider: api.rawValue, kind: .malformed, message: "the stream gave no whole answer")
        }
        return response
    }

    private static func feed(
        _ bytes: [UInt8],
        chunk: Int,
        parser: inout ServerSentEventParser,
        _ read: (ServerSentEvent) throws -> Void
    ) throws {
        for start in stride(from: 0, to: bytes.count, by: max(1, chunk)) {
            for event in try parser.feed(bytes[start..<min(start + chunk, bytes.count)]) { try read(event) }
        }
    }
}
