import Foundation

/// What a model costs, in US dollars per million tokens.
public struct ModelPrice: Sendable, Hashable {
    public var input: Double
    public var output: Double
    public var cacheWrite: Double
    public var cacheRead: Double

    public init(input: Double, output: Double, cacheWrite: Double? = nil, cacheRead: Double? = nil) {
        self.input = input
        self.output = output
        self.cacheWrite = cacheWrite ?? input
        self.cacheRead = cacheRead ?? input
    }

    public func cost(_ usage: ModelUsage) -> Double {
        (Double(usage.inputTokens) * input + Double(usage.outputTokens) * output + Double(usage.cacheWriteTokens) * cacheWrite
            + Double(usage.cacheReadTokens) * cacheRead) / 1_000_000
    }
}

/// Prices by model id. A model is priced by its own entry or by the longest entry its id starts with
/// (`claude-sonnet-4-5-20250929` by `claude-sonnet-4-5`); the operator's `model_prices` come first.
public struct ModelPrices: Sendable, Hashable {
    public var entries: [String: ModelPrice]

    public init(_ entries: [String: ModelPrice] = ModelPrices.published) {
        self.entries = entries
    }

    public func price(of model: String) -> ModelPrice? {
        if let exact = entries[model] { return exact }
        return entries.filter { model.hasPrefix($0.key) }.max { $0.key.count < $1.key.count }?.value
    }

    /// List prices as the providers published them (late 2025); `model_prices` overrides any.
    public static let published: [String: ModelPrice] = [
        "claude-opus-4": ModelPrice(input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5),
        "claude-sonnet-4": ModelPrice(input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3),
        "claude-haiku-4": ModelPrice(input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1),
        "claude-3-5-haiku": ModelPrice(input: 0.8, output: 4, cacheWrite: 1, cacheRead: 0.08),
        "gpt-4.1": ModelPrice(input: 2, output: 8, cacheRead: 0.5),
        "gpt-4.1-mini": ModelPrice(input: 0.4, output: 1.6, cacheRead: 0.1),
        "gpt-4o": ModelPrice(input: 2.5, output: 10, cacheRead: 1.25),
        "gpt-4o-mini": ModelPrice(input: 0.15, output: 0.6, cacheRead: 0.075),
    ]
}
