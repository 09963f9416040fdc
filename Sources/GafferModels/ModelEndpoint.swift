import Foundation
import GafferCore

/// Where a provider is and how Gaffer calls it.
public struct ModelEndpoint: Sendable, Hashable {
    /// The API's root: `https://api.anthropic.com`, `https://api.openai.com/v1`, `http://127.0.0.1:11434/v1`.
    public var baseURL: String
    /// Nil for a local server that wants none (Ollama, vLLM without `--api-key`).
    public var apiKey: Secret?
    /// The whole call, the streamed answer included.
    public var timeout: Duration
    /// Tries of one call, the first included, when the provider is busy (429, 529, 5xx) or unreachable.
    public var maxAttempts: Int
    /// A `retry-after` longer than this fails the call at once: a step should not sleep for an hour.
    public var maxRetryWait: Duration

    public init(
        baseURL: String,
        apiKey: Secret? = nil,
        timeout: Duration = .seconds(120),
        maxAttempts: Int = 4,
        maxRetryWait: Duration = .seconds(60)
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        self.maxRetryWait = maxRetryWait
    }
}
