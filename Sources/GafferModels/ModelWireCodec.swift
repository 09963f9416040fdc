import Foundation
import GafferAWS
import GafferCore
import NIOCore

/// The wire work a provider client does around a call, without the network: a request's body, and an answer
/// read from the bytes of its event stream (a recorded conversation replayed, or a benchmark of Gaffer's own part).
public enum ModelWireCodec {
    public enum API: String, Sendable, CaseIterable { case anthropic, openai, bedrock }

    /// The body the client would send.
    public static func requestBody(_ request: ModelRequest, api: API) throws -> Data {
        switch api {
        case .anthropic: AnthropicMessagesProvider.body(request).serialized()
        case .openai: try OpenAIChatProvider.body(request).serialized()
        case .bedrock: BedrockConverseProvider.body(request).serialized()
        }
    }

    /// The headers that sign a Bedrock request for `model` with `body`: the work a Bedrock call adds to the others.
    public static func bedrockSignature(body: Data, model: String, signer: SigV4Signer, at date: Date) -> [(String, String)] {
        BedrockConverseProvider.signature(
            url: BedrockConverseProvider.defaultBaseURL(region: signer.region) + BedrockConverseProvider.path(model: model),
            headers: [
                ("host", "bedrock-runtime.\(signer.region).amazonaws.com"), ("content-type", "application/json"),
                ("accept", "application/vnd.amazon.eventstream"),
            ],
            body: body,
            signer: signer,
            at: date
        )
    }

    /// The answer the client would make of a streamed body, fed to it in `chunk`-byte pieces.
    public static func response(streamed bytes: [UInt8], api: API, model: String, chunk: Int = 4096) throws -> ModelResponse {
        let events: [ModelStreamEvent] =
            switch api {
            case .anthropic:
                try decode(
                    bytes,
                    chunk: chunk,
                    framing: ServerSentEventParser(),
                    decoder: AnthropicStreamDecoder(provider: api.rawValue, model: model)
                )
            case .openai:
                try decode(bytes, chunk: chunk, framing: ServerSentEventParser(), decoder: OpenAIStreamDecoder(provider: api.rawValue, model: model))
            case .bedrock:
                try decode(bytes, chunk: chunk, framing: EventStreamFraming(), decoder: BedrockStreamDecoder(provider: api.rawValue, model: model))
            }
        guard case .done(let response)? = events.last else {
            throw ModelError(provider: api.rawValue, kind: .malformed, message: "the stream gave no whole answer")
        }
        return response
    }

    private static func decode(
        _ bytes: [UInt8],
        chunk: Int,
        framing: some ModelStreamFraming,
        decoder: some ModelStreamDecoder
    ) throws -> [ModelStreamEvent] {
        var framing = framing
        var decoder = decoder
        var events: [ModelStreamEvent] = []
        for start in stride(from: 0, to: bytes.count, by: max(1, chunk)) {
            let piece = ByteBuffer(bytes: bytes[start..<min(start + chunk, bytes.count)])
            for event in try framing.split(piece.readableBytesView) { events += try decoder.read(event) }
        }
        try framing.end()
        return events + (try decoder.finish())
    }
}
