import Foundation
import GafferAWS
import GafferApp
import GafferCore
import GafferSandbox

/// A `ModelSandbox` serving on 127.0.0.1 and a free port, for the length of a test.
public final class ModelSandboxFixture: Sendable {
    public let sandbox: ModelSandbox
    public let port: Int
    private let server: RunningService

    public init(apiKey: String = "sk-sandbox-key") async throws {
        let sandbox = ModelSandbox(apiKey: apiKey)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = RunningService(sandbox.makeApplication { port in continuation.yield(port) })
        var found: Int?
        for await port in ports {
            found = port
            break
        }
        guard let found, found > 0 else {
            await server.stopAndWait()
            throw GitHubClientFixtureError("the model sandbox did not start")
        }
        self.sandbox = sandbox
        self.server = server
        self.port = found
    }

    /// Anthropic's root (`/v1/messages` is added by the client).
    public var anthropicURL: String { "http://127.0.0.1:\(port)" }
    /// OpenAI's root, `/v1` included.
    public var openAIURL: String { "http://127.0.0.1:\(port)/v1" }
    /// Bedrock's runtime root (`/model/ID/converse-stream` is added by the client).
    public var bedrockURL: String { "http://127.0.0.1:\(port)" }
    /// The AWS keys the sandbox checks Bedrock's signatures with.
    public static let awsCredentials = AWSCredentials(
        accessKeyID: ModelSandbox.awsAccessKeyID,
        secretAccessKey: Secret(ModelSandbox.awsSecretAccessKey)
    )

    public func stop() async { await server.stopAndWait() }

    /// A configuration change that gives `role` this sandbox's Anthropic API, with the task budget `budgetUSD`.
    /// Bedrock signs with Gaffer's AWS keys, so those become the sandbox's (the AWS work goes to moto, which takes any).
    public func configure(
        _ role: ModelRole,
        provider: ModelProviderKind = .anthropic,
        model: String = "claude-sonnet-4-5",
        budgetUSD: Double = 2
    ) -> @Sendable (inout GafferConfiguration) -> Void {
        let url = anthropicURL
        return { configuration in
            configuration.models.anthropicKey = Secret("sk-sandbox-key")
            configuration.models.anthropicBaseURL = url
            configuration.models.openAIKey = Secret("sk-sandbox-key")
            configuration.models.openAIBaseURL = url + "/v1"
            configuration.models.bedrockBaseURL = url
            configuration.models.bedrockRegion = "us-east-1"
            if provider == .bedrock { configuration.aws.credentials = Self.awsCredentials }
            configuration.models.agentModels[role] = ModelChoice(provider: provider, model: model)
            configuration.models.budget = ModelBudget(taskUSD: budgetUSD, dailyUSD: 20, monthlyUSD: 200)
        }
    }

    /// The explainer's answer: its tool, with the cause and the fix.
    public static func explanation(cause: String, suggestion: String) -> ModelSandbox.Answer {
        .turn(
            ScriptedTurn(
                toolUses: [.init(id: "toolu_1", name: "explain_failure", input: ["cause": .string(cause), "suggestion": .string(suggestion)])],
                inputTokens: 4_000,
                outputTokens: 120
            )
        )
    }
}
