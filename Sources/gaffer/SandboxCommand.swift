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
        subcommands: [GitHubSandboxCommand.self]
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
