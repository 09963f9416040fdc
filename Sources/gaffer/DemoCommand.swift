import ArgumentParser
import CryptoExtras
import Foundation
import GafferAWS
import GafferApp
import GafferCore
import GafferGitHub
import GafferSandbox
import Hummingbird
import Logging
import ServiceLifecycle

/// `gaffer demo`: Gaffer, a GitHub sandbox and a local AWS endpoint, wired together on 127.0.0.1.
struct DemoCommand: AsyncParsableCommand {
    /// The demo's AWS keys: moto takes any, and `gaffer sandbox models` knows these for Bedrock.
    static let awsAccessKeyID = "AKIADEMO000000000000"
    static let awsSecretAccessKey = "demo"
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Try Gaffer with nothing configured: a GitHub sandbox, moto_server as AWS, and Gaffer, on 127.0.0.1.",
        subcommands: [DemoRunCommand.self, DemoIssueCommand.self, DemoCommentCommand.self],
        defaultSubcommand: DemoRunCommand.self
    )
}

/// Where a running demo is, for its helpers (`gaffer demo issue`, `gaffer demo comment`) and for scripts.
struct DemoInfo: Codable {
    var github_api: String
    var gaffer: String
    var aws_endpoint: String
    var repository: String
    var users: [String: String]
    /// The dashboard's address, and the operator token that signs in to it (people sign in through the sandbox's GitHub).
    var dashboard: String?
    var operator_token: String?

    static var defaultPath: String {
        (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp") + "/gaffer-demo.json"
    }

    static func load(_ path: String) throws -> DemoInfo {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("no demo is running (\(path) is missing): start one with `gaffer demo` in another terminal")
        }
        return try JSONDecoder().decode(DemoInfo.self, from: data)
    }
}

struct DemoRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start the demo and run until interrupted (the default of `gaffer demo`).",
        discussion: """
            The GitHub sandbox has the repository acme/infra and four people, each with a token: alice (admin), \
            bob (write), carol (read) and mallory (no access). Gaffer is installed on acme as a GitHub App whose \
            key the demo generates; its data (SQLite, git mirrors) goes in --data or a temporary folder.
            """
    )

    @Option(help: "Keep Gaffer's data here (default: a new temporary folder, removed at the end).") var data: String?
    @Option(name: .customLong("github-port"), help: "The GitHub sandbox's port (0 picks a free one).") var githubPort = 0
    @Option(name: .customLong("gaffer-port"), help: "Gaffer's port (0 picks a free one).") var gafferPort = 0
    @Option(name: .customLong("state-file"), help: "Where the demo writes its addresses and tokens for the helpers.") var stateFile =
        DemoInfo.defaultPath
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning or error.") var logLevel = "notice"
    @Option(name: .customLong("github-mutation-gap"), help: "Seconds Gaffer leaves between its writes to GitHub (GitHub asks for 1).")
    var mutationGap = 0.1
    @Flag(help: "Print one JSON line with the addresses and tokens, and nothing else on standard output.") var json = false
    @Flag(inversion: .prefixedNo, help: "Plan each pull request once its pipeline passes, without waiting for /plan.") var autoplan = true
    @Option(
        name: .customLong("intake-model"),
        help:
            "PROVIDER/MODEL that reads issues in prose (anthropic/claude-sonnet-4-5); its key and address from GAFFER_ANTHROPIC_*, GAFFER_OPENAI_* or GAFFER_BEDROCK_BASE_URL (Bedrock signs with the demo's AWS keys)."
    )
    var intakeModel: String?
    @Option(
        name: .customLong("code-model"),
        help: "PROVIDER/MODEL that writes an application's code beyond its blueprint (an issue's `behaviour`); its key as for --intake-model."
    )
    var codeModel: String?
    @Option(
        name: .customLong("explain-model"),
        help: "PROVIDER/MODEL that explains a failed pipeline or apply on the pull request, as a suggestion; its key as for --intake-model."
    )
    var explainModel: String?
    @Option(
        name: .customLong("review-model"),
        help:
            "PROVIDER/MODEL that reads a pull request's conversation when someone mentions @gaffer with a change in words; its key as for --intake-model."
    )
    var reviewModel: String?
    @Flag(help: "Play the whole story by itself (a bucket asked for, refused, approved, applied, merged; then deleted), print a timeline, and stop.")
    var script = false

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level \(logLevel) is not a log level") }
        let temporary = data == nil
        let root = URL(fileURLWithPath: data ?? NSTemporaryDirectory() + "gaffer-demo-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { if temporary { try? FileManager.default.removeItem(at: root) } }

        let aws = try await LocalAWSEndpoint.start(logDirectory: root)
        defer { aws.stop() }
        let sandboxPort = githubPort == 0 ? try LocalAWSEndpoint.freePort() : githubPort
        let port = gafferPort == 0 ? try LocalAWSEndpoint.freePort() : gafferPort
        let github = "http://127.0.0.1:\(sandboxPort)"

        let state = SandboxState(gitRoot: root.appendingPathComponent("github"))
        let webhooks = SandboxWebhooks()
        var tokens: [String: String] = [:]
        for (login, permission) in [("alice", "admin"), ("bob", "write"), ("carol", "read"), ("mallory", nil)] {
            let token = "ghp_demo_\(login)_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
            tokens[login] = token
            await state.addUser(login, token: token)
            if login == "alice" { try await state.addRepository(owner: "acme", name: "infra") }
            if let permission { await state.setPermission(permission, for: login, in: "acme/infra") }
        }
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        await state.registerApp(id: 1, slug: "gaffer", publicKeyPEM: key.publicKey.pemRepresentation)
        await state.addInstallation(1, account: "acme")
        let oauthSecret = UUID().uuidString
        await state.registerOAuthApp(clientID: "gaffer-demo", clientSecret: oauthSecret)
        let operatorToken = "gaffer_operator_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()

        var configuration = GafferConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = port
        configuration.dataDirectory = root.appendingPathComponent("gaffer", isDirectory: true)
        configuration.logLevel = level
        configuration.workers = 2
        let secret = Secret(UUID().uuidString)
        configuration.webhookSecrets = [secret]
        configuration.githubAPIURL = URL(string: github) ?? configuration.githubAPIURL
        configuration.githubAppID = "1"
        configuration.githubPrivateKey = Secret(key.pemRepresentation)
        configuration.githubMutationGapSeconds = mutationGap
        // The dashboard: anyone of the demo but mallory signs in through the sandbox's GitHub; the operator token for scripts.
        configuration.apiToken = Secret(operatorToken)
        configuration.dashboard.oauthClientID = "gaffer-demo"
        configuration.dashboard.oauthClientSecret = Secret(oauthSecret)
        configuration.dashboard.users = ["alice", "bob", "carol"]
        configuration.changes.autoplan = autoplan
        configuration.aws.endpointURL = aws.url
        configuration.aws.region = "us-east-1"
        configuration.aws.credentials = AWSCredentials(
            accessKeyID: DemoCommand.awsAccessKeyID,
            secretAccessKey: Secret(DemoCommand.awsSecretAccessKey)
        )
        let roles = [
            intakeModel.map { "intake=\($0)" }, codeModel.map { "deployment=\($0)" }, explainModel.map { "explain=\($0)" },
            reviewModel.map { "review=\($0)" },
        ].compactMap { $0 }
        if !roles.isEmpty {
            // The models' keys, addresses, prices and budget as an operator gives them, from the environment.
            var environment = ProcessInfo.processInfo.environment
            environment["GAFFER_AGENT_MODELS"] = roles.joined(separator: ", ")
            do {
                let loaded = try ConfigurationLoader.load(file: nil, environment: environment, needs: [])
                configuration.models = loaded.models
                // Other MCP servers' tools for the code model, from GAFFER_MCP_SERVERS and GAFFER_MCP_ALLOWED_TOOLS.
                configuration.mcpClient = loaded.mcpClient
            } catch {
                FileHandle.standardError.write(Data("gaffer demo: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
        await webhooks.configure(url: URL(string: "http://127.0.0.1:\(port)/webhooks/github"), secret: secret.revealed)

        let logger = CommandSupport.bootstrap(configuration)
        let server = try await GafferServer(configuration: configuration, logger: logger)
        let info = DemoInfo(
            github_api: github,
            gaffer: "http://127.0.0.1:\(port)",
            aws_endpoint: aws.url,
            repository: "acme/infra",
            users: tokens,
            dashboard: "http://127.0.0.1:\(port)/dashboard",
            operator_token: operatorToken
        )
        let script = script
        let (readiness, isReady) = AsyncStream.makeStream(of: Void.self)
        let ready = DemoReadiness(expected: 2) {
            try? JSONEncoder().encode(info).write(to: URL(fileURLWithPath: stateFile))
            // Written straight out: print buffers when standard output is a pipe, and a script waits for this line.
            if !script {
                FileHandle.standardOutput.write(Data(((json ? Self.jsonLine(info) : Self.banner(info, stateFile: stateFile)) + "\n").utf8))
            }
            isReady.yield()
            isReady.finish()
        }
        let sandbox = GitHubSandbox(state: state, webhooks: webhooks).makeApplication(port: sandboxPort) { _ in await ready.arrived() }
        let gaffer = server.makeApplication { _ in await ready.arrived() }
        let group = ServiceGroup(
            configuration: .init(services: [sandbox, gaffer], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        defer { try? FileManager.default.removeItem(atPath: stateFile) }
        guard script else {
            try await group.run()
            server.store.shutdown()
            return
        }
        let story = DemoScript(
            github: URL(string: github) ?? configuration.githubAPIURL,
            tokens: tokens,
            state: state,
            aws: try AWSClient.standard(configuration.awsSettings),
            print: { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        )
        let outcome = try await withThrowingTaskGroup(of: Result<Void, any Error>?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            tasks.addTask {
                for await _ in readiness { break }
                do {
                    try await story.run()
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            var outcome: Result<Void, any Error> = .success(())
            for try await finished in tasks {
                guard let finished else { continue }
                outcome = finished
                await group.triggerGracefulShutdown()
            }
            return outcome
        }
        server.store.shutdown()
        if case .failure(let error) = outcome {
            FileHandle.standardError.write(Data("gaffer demo --script: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    static func jsonLine(_ info: DemoInfo) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(info)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func banner(_ info: DemoInfo, stateFile: String) -> String {
        // The way this binary was started, so the lines below work as they are printed (it is seldom on PATH).
        let gaffer = CommandLine.arguments.first.map { $0.contains("/") ? $0 : "gaffer" } ?? "gaffer"
        return """
            Gaffer demo is running on 127.0.0.1. Stop it with Ctrl-C.

              Gaffer           \(info.gaffer)   (metrics: \(info.gaffer)/metrics)
              Dashboard        \(info.dashboard ?? "")   (sign in with GitHub as alice, bob or carol; operator token \(info.operator_token ?? ""))
              GitHub sandbox   \(info.github_api)   (repository acme/infra; clone it from \(info.github_api)/acme/infra.git)
                               in a browser: \(info.github_api)/acme/infra/issues (sign in as anyone, open issues, comment)
              AWS (moto)       \(info.aws_endpoint)

              people (token):  \(info.users.keys.sorted().map { "\($0) \(info.users[$0] ?? "")" }.joined(separator: ", "))
                               alice is an admin, bob may write, carol may read, mallory has no access.

            Ask Gaffer for something, from another terminal:

              \(gaffer) demo issue --as alice --title "Create an S3 bucket named demo-logs in us-east-1"
              \(gaffer) demo comment --as bob 1 "/help"

            Then look at what Gaffer did (the pull request, its files and its check):

              curl -s -H "Authorization: token \(info.users["alice"] ?? "")" \(info.github_api)/repos/acme/infra/pulls
              git clone \(info.github_api)/acme/infra.git

            The addresses and tokens are also in \(stateFile).
            """
    }
}

/// Prints the demo's banner once every server is listening.
actor DemoReadiness {
    private var waiting: Int
    private let announce: @Sendable () -> Void

    init(expected: Int, announce: @escaping @Sendable () -> Void) {
        waiting = expected
        self.announce = announce
    }

    func arrived() {
        waiting -= 1
        if waiting == 0 { announce() }
    }
}

/// The sandbox as one of the demo's people.
struct DemoPersonOptions: ParsableArguments {
    @Option(name: .customLong("as"), help: "Who acts: alice, bob, carol or mallory.") var person: String
    @Option(name: .customLong("state-file"), help: "The running demo's state file.") var stateFile = DemoInfo.defaultPath

    func client() async throws -> (GitHubClient, DemoInfo) {
        let info = try DemoInfo.load(stateFile)
        guard let token = info.users[person] else {
            throw ValidationError("--as \(person): the demo's people are \(info.users.keys.sorted().joined(separator: ", "))")
        }
        guard let url = URL(string: info.github_api) else { throw ValidationError("\(stateFile) has no usable github_api") }
        var settings = GitHubClient.Settings(baseURL: url)
        settings.minimumMutationGap = .zero
        settings.redactor = .off  // a person writing, not Gaffer
        return (try await GitHubClient(settings: settings, credentials: .token(Secret(token))), info)
    }
}

struct DemoIssueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "issue", abstract: "Open an issue on the demo's repository as one of its people.")

    @OptionGroup var person: DemoPersonOptions
    @Option(help: "The issue's title.") var title: String
    @Option(name: .customLong("body-file"), help: "A file holding the issue's body (- for standard input).") var bodyFile: String?
    @Option(name: .customLong("label"), help: "A label (repeat for several; default: gaffer, the trigger label).") var labels: [String] = []

    func run() async throws {
        let (client, info) = try await person.client()
        struct NewIssue: Encodable, Sendable {
            var title: String
            var body: String
            var labels: [String]
        }
        let body = try bodyFile.map(CommandSupport.readInput) ?? ""
        let issue = try await client.send(
            "POST",
            "/repos/\(info.repository)/issues",
            body: NewIssue(title: title, body: body, labels: labels.isEmpty ? ["gaffer"] : labels),
            as: .token,
            decoding: GitHubIssueDetails.self
        )
        print("opened \(info.repository)#\(issue.number) as \(person.person)")
    }
}

struct DemoCommentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comment",
        abstract: "Comment on an issue or pull request as one of the demo's people."
    )

    @OptionGroup var person: DemoPersonOptions
    @Argument(help: "The issue or pull request number.") var number: Int
    @Argument(help: "The comment, such as \"/help\".") var text: String

    func run() async throws {
        let (client, info) = try await person.client()
        let parts = info.repository.split(separator: "/").map(String.init)
        guard parts.count == 2 else { throw ValidationError("\(info.repository) is not OWNER/NAME") }
        let repository = RepositoryRef(owner: parts[0], name: parts[1])
        let comment = try await client.createComment(onIssue: number, in: repository, body: text)
        print("commented on \(info.repository)#\(number) as \(person.person) (comment \(comment.id))")
    }
}
