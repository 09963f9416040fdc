import ArgumentParser
import Foundation
import GafferSandbox
import Logging
import ServiceLifecycle

/// `gaffer sandbox`: local stand-ins for the outside world.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run local stand-ins for GitHub, for trying Gaffer out.",
        subcommands: [GitHubSandboxCommand.self, ModelSandboxCommand.self]
    )
}

/// `gaffer sandbox github`: a GitHub for a local demo, that sends signed webhooks.
struct GitHubSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "github",
        abstract: "Serve the GitHub REST calls Gaffer makes, and send signed webhooks when its state changes.",
        discussion:
            "Its admin API is under /_sandbox/ (see Sources/GafferSandbox/SandboxAdmin.swift). Listen on 127.0.0.1 only: the admin API has no authentication."
    )

    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0 picks a free one).") var port = 9090
    @Option(name: .customLong("webhook-url"), help: "Where webhooks go, such as http://127.0.0.1:8080/webhooks/github.") var webhookURL: String?
    @Option(name: .customLong("webhook-secret"), help: "The secret that signs webhooks.") var webhookSecret: String?
    @Option(name: .customLong("user"), help: "LOGIN=TOKEN: a user and the token that authenticates as them (repeat for several).") var users:
        [String] = []
    @Option(name: .customLong("repo"), help: "OWNER/NAME: a repository every --user may write to (repeat for several).") var repositories: [String] =
        []
    @Option(name: .customLong("app-id"), help: "Register a GitHub App with this id.") var appID: Int64?
    @Option(name: .customLong("app-public-key"), help: "The app's public key (PEM file); Gaffer signs with the matching private key.")
    var appPublicKey: String?
    @Option(name: .customLong("installation"), help: "ID=ACCOUNT: install the app on an account (repeat for several).") var installations: [String] =
        []

    func validate() throws {
        for user in users where !user.contains("=") { throw ValidationError("--user \(user): write LOGIN=TOKEN") }
        for repository in repositories where repository.split(separator: "/").count != 2 {
            throw ValidationError("--repo \(repository): write OWNER/NAME")
        }
        if (appID == nil) != (appPublicKey == nil) { throw ValidationError("--app-id and --app-public-key go together") }
        for installation in installations where Int64(installation.split(separator: "=").first ?? "") == nil || !installation.contains("=") {
            throw ValidationError("--installation \(installation): write ID=ACCOUNT")
        }
        if (webhookURL == nil) != (webhookSecret == nil) { throw ValidationError("--webhook-url and --webhook-secret go together") }
    }

    func run() async throws {
        let state = SandboxState()
        let webhooks = SandboxWebhooks()
        let logins = users.map { String($0.split(separator: "=", maxSplits: 1)[0]) }
        for user in users {
            let parts = user.split(separator: "=", maxSplits: 1).map(String.init)
            await state.addUser(parts[0], token: parts.count > 1 ? parts[1] : "")
        }
        for repository in repositories {
            let parts = repository.split(separator: "/").map(String.init)
            try await state.addRepository(owner: parts[0], name: parts[1])
            for login in logins { await state.setPermission("write", for: login, in: repository) }
        }
        if let appID, let appPublicKey {
            guard let key = FileManager.default.contents(atPath: appPublicKey) else { throw ValidationError("cannot read \(appPublicKey)") }
            await state.registerApp(id: appID, slug: "gaffer", publicKeyPEM: String(decoding: key, as: UTF8.self))
            for installation in installations {
                let parts = installation.split(separator: "=", maxSplits: 1).map(String.init)
                if let id = Int64(parts[0]) { await state.addInstallation(id, account: parts[1]) }
            }
        }
        if let webhookURL, let webhookSecret {
            await webhooks.configure(url: URL(string: webhookURL), secret: webhookSecret)
        }
        let application = GitHubSandbox(state: state, webhooks: webhooks).makeApplication(host: host, port: port) { port in
            FileHandle.standardError.write(Data("GitHub sandbox listening address=http://\(host):\(port)\n".utf8))
        }
        try await application.runService()
    }
}

/// `gaffer sandbox models`: Anthropic's, OpenAI's and Bedrock's APIs on 127.0.0.1, checking requests and answering from a script.
struct ModelSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract:
            "A stand-in for Anthropic's Messages API (/v1/messages), OpenAI's chat completions (/v1/chat/completions) and Bedrock's Converse (/model/ID/converse-stream).",
        discussion: """
            Each request is checked against the documented shape (a malformed one gets the provider's own 400 and is printed), \
            and a Bedrock request's SigV4 signature against the AWS keys the sandbox knows (its own, the demo's, and --aws-key), \
            then answered with the script's next turn, streamed in small pieces. The script is a JSON array of turns: \
            {"text": "...", "tool_uses": [{"id": "t1", "name": "submit_task", "input": {...}}], "input_tokens": 100, "output_tokens": 20}. \
            A request after the last turn gets a 500 saying so.
            """
    )

    @Option(help: "The port to listen on (0 picks a free one).") var port = 9191
    @Option(help: "The key clients must send (x-api-key, or Authorization: Bearer).") var key = "sk-sandbox-key"
    @Option(help: "The JSON file of turns to answer with, in order.") var script: String
    @Option(help: "An AWS key Bedrock requests may be signed with, as ACCESS_KEY_ID:SECRET (repeatable).") var awsKey: [String] = []
    @Option(help: "The region Bedrock requests must be signed for.") var bedrockRegion = "us-east-1"

    func run() async throws {
        let turns: [ScriptedTurn]
        do {
            turns = try JSONDecoder().decode([ScriptedTurn].self, from: Data(contentsOf: URL(fileURLWithPath: script)))
        } catch {
            throw ValidationError("--script \(script): \(error); give a JSON array of turns, such as [{\"text\": \"Hello\"}]")
        }
        var secrets = [ModelSandbox.awsAccessKeyID: ModelSandbox.awsSecretAccessKey, DemoCommand.awsAccessKeyID: DemoCommand.awsSecretAccessKey]
        for pair in awsKey {
            let parts = pair.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--aws-key \(pair): give ACCESS_KEY_ID:SECRET")
            }
            secrets[parts[0]] = parts[1]
        }
        let sandbox = ModelSandbox(apiKey: key, awsSecrets: secrets, bedrockRegion: bedrockRegion) { line in
            FileHandle.standardError.write(Data("model sandbox: \(line)\n".utf8))
        }
        sandbox.enqueue(turns.map { .turn($0) })
        let application = sandbox.makeApplication(port: port) { port in
            // Written straight out: print buffers when standard output is a file or a pipe.
            let address = "http://127.0.0.1:\(port)"
            let line =
                "model sandbox: \(address) (anthropic_base_url and bedrock_base_url), \(address)/v1 (openai_base_url); \(turns.count) turns\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        try await application.runService()
    }
}
