import GafferCore
import GafferModels
import Logging

/// Tools from outside Gaffer (other MCP servers the operator lists) that an agent's model may use for one step.
/// What they answer is data, like any other input: it goes to the model as a tool's result, never into Gaffer's own
/// instructions, and nothing Gaffer decides depends on it.
public protocol ExternalTools: Sendable {
    /// Starts or connects to the servers for one step; a server that cannot be reached is left out and logged.
    func open(logger: Logger) async -> any ExternalToolSession
}

/// The servers' allowed tools for one step.
public protocol ExternalToolSession: Sendable {
    /// Each tool named `server__tool`, so it cannot be taken for one of Gaffer's own.
    var tools: [ModelTool] { get }
    /// The tool's answer as text, or why it failed; a name not in `tools` is refused.
    func call(_ name: String, input: JSONValue) async -> (text: String, isError: Bool)
    /// Ends what `open` started.
    func close() async
}
