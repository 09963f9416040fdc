import Foundation
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

    public func stop() async { await server.stopAndWait() }
}
