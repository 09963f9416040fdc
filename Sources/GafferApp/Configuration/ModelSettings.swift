import Foundation
import GafferAWS
import GafferCore
import GafferModels
import Logging
import Synchronization

/// What a model is used for; `agent_models` gives each its provider and model. A role without one works
/// as it did before models: deterministically, or not at all.
public enum ModelRole: String, Sendable, Hashable, CaseIterable {
    /// Reads an issue the parser could not type, for the requester to confirm.
    case intake
    /// Writes an application's code beyond its blueprint, in a loop with the application's tests.
    case deployment
    /// Explains a failed pipeline or stack operation, as a suggestion on the pull request.
    case explain
    /// Reads a pull request's conversation for what a comment mentioning Gaffer asks to change.
    case review
}

/// The wire protocols Gaffer speaks to models.
public enum ModelProviderKind: String, Sendable, Hashable, CaseIterable {
    case anthropic, openai, bedrock
}

/// A provider and one of its models: `anthropic/claude-sonnet-4-5`.
public struct ModelChoice: Sendable, Hashable, CustomStringConvertible {
    public var provider: ModelProviderKind
    public var model: String
    public var description: String { "\(provider.rawValue)/\(model)" }

    public init(provider: ModelProviderKind, model: String) {
        self.provider = provider
        self.model = model
    }
}

/// Models, their keys, prices and the hard budget on what they may cost.
public struct ModelSettings: Sendable {
    public var anthropicKey: Secret?
    public var anthropicBaseURL = "https://api.anthropic.com"
    public var openAIKey: Secret?
    public var openAIBaseURL = "https://api.openai.com/v1"
    /// Bedrock's region (`bedrock_region`); nil means Gaffer's AWS region.
    public var bedrockRegion: String?
    /// Bedrock's runtime endpoint (`bedrock_base_url`); nil means AWS's for the region.
    public var bedrockBaseURL: String?
    public var agentModels: [ModelRole: ModelChoice] = [:]
    public var prices = ModelPrices()
    public var budget = ModelBudget()
    public var timeoutSeconds = 120.0
    public var maxAttempts = 4
    /// The most model calls, and minutes, one application-code step takes (`model_code_iterations`, `model_code_minutes`).
    public var codeIterations = 20
    public var codeMinutes = 8.0

    public init() {}

    func endpoint(_ provider: ModelProviderKind, aws: AWSSettings) -> ModelEndpoint {
        let (url, key): (String, Secret?) =
            switch provider {
            case .anthropic: (anthropicBaseURL, anthropicKey)
            case .openai: (openAIBaseURL, openAIKey)
            case .bedrock: (bedrockBaseURL ?? BedrockConverseProvider.defaultBaseURL(region: bedrockRegion(aws: aws)), nil)
            }
        return ModelEndpoint(baseURL: url, apiKey: key, timeout: .milliseconds(Int64(timeoutSeconds * 1000)), maxAttempts: maxAttempts)
    }

    func bedrockRegion(aws: AWSSettings) -> String { bedrockRegion ?? aws.region ?? "us-east-1" }

    /// The provider of `kind`; Bedrock signs with the AWS credentials `aws` leads to (Gaffer's own AWS identity).
    public func provider(_ kind: ModelProviderKind, aws: AWSSettings) -> any ModelProvider {
        switch kind {
        case .anthropic: AnthropicMessagesProvider(endpoint: endpoint(.anthropic, aws: aws))
        case .openai: OpenAIChatProvider(endpoint: endpoint(.openai, aws: aws))
        case .bedrock:
            BedrockConverseProvider(
                region: bedrockRegion(aws: aws),
                endpoint: endpoint(.bedrock, aws: aws),
                credentials: CredentialsOnFirstUse(aws: aws)
            )
        }
    }

    /// The metered model for `role`, or nil when the operator gave it none.
    public func model(for role: ModelRole, aws: AWSSettings, spend: any ModelSpendStore, clock: any WallClock, logger: Logger) -> MeteredModel? {
        guard let choice = agentModels[role], let price = prices.price(of: choice.model) else { return nil }
        return MeteredModel(
            provider: provider(choice.provider, aws: aws),
            model: choice.model,
            price: price,
            budget: budget,
            spend: spend,
            clock: clock,
            logger: logger
        )
    }

    /// What stops a configured model from working, found at start rather than on its first call.
    func problems(aws: AWSSettings) -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        for role in ModelRole.allCases {
            guard let choice = agentModels[role] else { continue }
            if prices.price(of: choice.model) == nil {
                problems.append(
                    ConfigurationProblem(
                        source: "GAFFER_MODEL_PRICES",
                        message:
                            "\(choice) (for \(role.rawValue)) has no price, so its spend could not be held to the budget; add model_prices: \(choice.model)=INPUT/OUTPUT in dollars per million tokens (0/0 for a local model)"
                    )
                )
            }
            switch choice.provider {
            case .anthropic where anthropicKey == nil:
                problems.append(
                    ConfigurationProblem(
                        source: "GAFFER_ANTHROPIC_API_KEY",
                        message:
                            "agent_models uses anthropic for \(role.rawValue) but no key is set; set anthropic_api_key_file or GAFFER_ANTHROPIC_API_KEY"
                    )
                )
            case .openai where openAIKey == nil && openAIBaseURL.contains("api.openai.com"):
                problems.append(
                    ConfigurationProblem(
                        source: "GAFFER_OPENAI_API_KEY",
                        message:
                            "agent_models uses openai for \(role.rawValue) but no key is set; set openai_api_key_file or GAFFER_OPENAI_API_KEY, or openai_base_url for a local server that needs none"
                    )
                )
            case .bedrock:
                do {
                    _ = try AWSClient.standard(aws)
                } catch {
                    problems.append(
                        ConfigurationProblem(
                            source: "agent_models",
                            message: "agent_models uses bedrock for \(role.rawValue), which signs with Gaffer's AWS credentials, but: \(error)"
                        )
                    )
                }
            default: break
            }
        }
        return problems
    }

    /// `ROLE=PROVIDER/MODEL` entries.
    /// Reads them into `set`, or says what is wrong with the first that is.
    static func readAgentModels(_ entries: [String], set: ([ModelRole: ModelChoice]) -> Void) -> String? {
        var models: [ModelRole: ModelChoice] = [:]
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let choice = parts.count == 2 ? parts[1].split(separator: "/", maxSplits: 1).map(String.init) : []
            let roles = ModelRole.allCases.map(\.rawValue).joined(separator: ", ")
            let providers = ModelProviderKind.allCases.map(\.rawValue).joined(separator: ", ")
            guard parts.count == 2, choice.count == 2, !choice[1].isEmpty else {
                return "'\(entry)' should be ROLE=PROVIDER/MODEL, such as intake=anthropic/claude-sonnet-4-5"
            }
            guard let role = ModelRole(rawValue: parts[0]) else { return "'\(parts[0])' is not a role that uses a model; use \(roles)" }
            guard let provider = ModelProviderKind(rawValue: choice[0]) else {
                return
                    "'\(choice[0])' is not a provider; use \(providers) (openai covers vLLM, Ollama and LiteLLM with openai_base_url; bedrock is Amazon Bedrock's Converse)"
            }
            models[role] = ModelChoice(provider: provider, model: choice[1])
        }
        set(models)
        return nil
    }

    /// `MODEL=INPUT/OUTPUT[/CACHE_WRITE/CACHE_READ]` entries, dollars per million tokens.
    static func readPrices(_ entries: [String], over base: ModelPrices, set: (ModelPrices) -> Void) -> String? {
        var prices = base
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let numbers = parts.count == 2 ? parts[1].split(separator: "/").map { Double($0.trimmingCharacters(in: .whitespaces)) } : []
            guard parts.count == 2, !parts[0].isEmpty, (2...4).contains(numbers.count), numbers.allSatisfy({ ($0 ?? -1) >= 0 }) else {
                return
                    "'\(entry)' should be MODEL=INPUT/OUTPUT or MODEL=INPUT/OUTPUT/CACHE_WRITE/CACHE_READ in dollars per million tokens, such as claude-sonnet-4-5=3/15/3.75/0.3"
            }
            let values = numbers.compactMap { $0 }
            prices.entries[parts[0]] = ModelPrice(
                input: values[0],
                output: values[1],
                cacheWrite: values.count > 2 ? values[2] : nil,
                cacheRead: values.count > 3 ? values[3] : nil
            )
        }
        set(prices)
        return nil
    }
}

/// Gaffer's AWS credentials, found when a Bedrock call first needs them (a profile or role may not be reachable at
/// start-up, and only Bedrock's calls should wait for it) and then kept, refreshed, by the chain's cache.
final class CredentialsOnFirstUse: AWSCredentialProvider {
    let aws: AWSSettings
    private let chain = Mutex<(any AWSCredentialProvider)?>(nil)

    init(aws: AWSSettings) { self.aws = aws }

    func resolve() async throws -> ResolvedCredentials {
        if let known = chain.withLock({ $0 }) { return try await known.resolve() }
        let provider = try AWSClient.standard(aws).credentials
        chain.withLock { $0 = provider }
        return try await provider.resolve()
    }
}
