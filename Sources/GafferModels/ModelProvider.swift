import Foundation

/// A model behind its provider's wire protocol. Every call streams; `respond` gathers the stream.
public protocol ModelProvider: Sendable {
    /// The provider's name in the configuration and in the cost records (`anthropic`, `openai`).
    var name: String { get }
    /// Sends the request and reports the answer as it arrives; the last event is `.done`.
    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelStreamEvent, any Error>
}

extension ModelProvider {
    /// The whole answer.
    public func respond(_ request: ModelRequest) async throws -> ModelResponse {
        for try await event in stream(request) {
            if case .done(let response) = event { return response }
        }
        throw ModelError(provider: name, kind: .malformed, message: "the answer ended before the provider said it was complete")
    }
}

/// Why a model call failed, in words an operator can act on. Never carries a key.
public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// 401/403: the key is wrong or lacks access.
        case unauthorized
        /// 400/404/413/422: the request was refused as written.
        case rejected
        /// 429, 529, 5xx after every retry.
        case unavailable
        case timedOut
        /// The answer broke the provider's own protocol.
        case malformed
        /// The provider reported an error inside the stream.
        case streamError
    }

    public var provider: String
    public var kind: Kind
    public var message: String
    /// The HTTP status, when there was one.
    public var status: Int?

    public init(provider: String, kind: Kind, message: String, status: Int? = nil) {
        self.provider = provider
        self.kind = kind
        self.message = message
        self.status = status
    }

    public var description: String { "\(provider): \(message)" }
}
