import Foundation
import GafferAWS
import GafferCore
import GafferGit
import GafferGitHub
import GafferStore
import Logging

/// Everything an operator can set, in one typed value.
///
/// Each setting has a key in `gaffer.yml` and an environment variable of the
/// same meaning, `GAFFER_` and the key in upper case (`data_dir` is
/// `GAFFER_DATA_DIR`); the environment wins. `ConfigurationLoader` reads
/// both and lists every problem at once.
public struct GafferConfiguration: Sendable {
    public var host = "0.0.0.0"
    public var port = 8080
    public var dataDirectory = URL(fileURLWithPath: ".gaffer")
    /// Every secret that may sign a delivery; more than one while rotating.
    public var webhookSecrets: [Secret] = []
    /// The bearer token the jobs API requires; the API is closed without one.
    public var apiToken: Secret?
    /// Jobs run at once in this process; 0 runs none (HTTP only).
    public var workers = 4
    public var logLevel = Logger.Level.info
    public var jobMaxAttempts = 5
    public var jobLeaseSeconds = 30.0
    public var jobBackoffBaseSeconds = 2.0
    public var jobBackoffMaxSeconds = 300.0
    /// How long a worker looks for new jobs from other processes between wake-ups.
    public var workerPollSeconds = 0.5
    /// On SIGTERM, how long running jobs may take to finish before they are given back.
    public var drainTimeoutSeconds = 25.0
    public var sqliteSynchronous = SQLiteSynchronous.normal
    /// The PostgreSQL server several Gaffer processes share (`database_url`); nil keeps SQLite in the data directory.
    public var database: PostgresAddress?
    /// The database's password from `database_password` or `database_password_file`, used instead of one in the URL.
    public var databasePassword: Secret?
    /// The most connections one process opens to PostgreSQL.
    public var databasePoolSize = 10
    /// The largest `payload` the jobs API accepts.
    public var jobMaxPayloadBytes = 1 << 20
    /// The bytes of webhook bodies not yet verified that may be held at once; past it, 503.
    public var webhookUnverifiedMaxBytes = 100 << 20
    /// Finished jobs, their files and their deliveries are deleted this long after they finished.
    public var retentionDays = 30
    /// The label that addresses an issue to Gaffer.
    public var triggerLabel = "gaffer"
    /// The app's bot login: its own comments are not read, and `@<login>` mentions it.
    public var botLogin = "gaffer[bot]"
    /// The region for a task whose issue names none; without it such an issue is refused.
    public var defaultRegion: String?
    /// GitHub's REST API: `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server.
    public var githubAPIURL = URL(fileURLWithPath: "/")
    /// The GitHub App's id or client id, with its private key (PEM).
    public var githubAppID: String?
    public var githubPrivateKey: Secret?
    /// A personal or fine-grained token, instead of an app.
    public var githubToken: Secret?
    /// The least time between two changes Gaffer makes on GitHub for one installation.
    public var githubMutationGapSeconds = 1.0
    /// A folder of the operator's own comment templates; one here replaces Gaffer's of the same name.
    public var commentTemplatesDirectory: URL?
    /// How often missed webhook deliveries are looked for (0: never).
    public var githubCatchUpMinutes = 10.0
    /// How often what Gaffer made is health-checked, with an issue opened for each unhealthy resource (0: never).
    public var healthCheckIntervalMinutes = 0.0
    /// The repository cache and job workspaces; `<data_dir>/git` when not set.
    public var gitCacheDirectory: URL?
    /// Who Gaffer's commits are by; the email defaults to the bot login's GitHub no-reply address.
    public var gitAuthorName: String?
    public var gitAuthorEmail: String?
    public var gitMaxFileBytes = FileSetLimits().maxFileBytes
    public var gitMaxFiles = FileSetLimits().maxFiles
    /// An SSH private key for `ssh://` remotes (its public key beside it as `.pub`), its passphrase,
    /// and the SHA-256 fingerprints of the SSH servers' host keys Gaffer may talk to.
    public var gitSSHKeyFile: String?
    public var gitSSHKeyPassphrase: Secret?
    public var gitSSHHostKeys: [String] = []
    /// Pipelines: the user builds run as (Gaffer must run as root), whether they run inside bubblewrap, and their time limit.
    public var pipelineUser: String?
    public var pipelineSandbox = false
    public var pipelineTimeoutMinutes = 60.0
    /// The checkov program the pull request's check runs on the commit's stacks; nil: checkov is not run.
    public var pipelineCheckov: String?
    /// AWS: profile, endpoints, explicit keys, cross-account roles, retries (`aws_*` keys); the
    /// region is `default_region`. Whatever is unset comes from the environment and ~/.aws as the SDKs read them.
    public var aws = AWSSettings()
    /// How far a task's plan may go: steps, handoffs between agents, time per step, and what its agents may spend.
    public var planLimits = PlanLimits()
    /// A plan whose estimate is above this many US dollars a month needs approval.
    public var costApprovalThresholdUSD = 100.0
    /// The operator's own price table, shaped like `templates/cost/prices.json`.
    public var costPricesFile: String?
    /// Who may run each command, and have a task planned (what `/plan` needs): `command_permissions`, `command_users`.
    public var authorization = AuthorizationPolicy()
    /// Plans and applies: autoplan, merging after an apply, and what `/apply` requires.
    public var changes = ChangeSettings()
    /// Who may see the dashboard, how people sign in to it, and where it is reached.
    public var dashboard = DashboardSettings()
    /// Regular expressions of the operator's own secrets, removed with the built-in ones (`redact_patterns`).
    public var redactPatterns: [String] = []

    /// What takes secrets out of everything Gaffer writes. The patterns were checked when they were read.
    public var redactor: Redactor { (try? Redactor(extra: redactPatterns)) ?? .standard }
    /// Which of `changes`' keys a repository's `.gaffer.yml`, on its default branch, may set (`repository_overrides`).
    public var repositoryOverrides: Set<String> = []
    /// The bearer token `gaffer mcp --http` asks every request for.
    public var mcpToken: Secret?
    /// `gaffer mcp` offers the tools that open a task issue and comment a command, as the user of `mcpGitHubToken`.
    public var mcpWriteTools = false
    /// The GitHub token of the person `gaffer mcp` acts for with its write tools.
    public var mcpGitHubToken: Secret?
    /// Models for the roles that may use one, and the budget they are held to; none by default.
    public var models = ModelSettings()
    /// Other MCP servers whose allowed tools the agents' models may use.
    public var mcpClient = MCPClientSettings()
    /// Read apart, joined into `aws.credentials` once both are known.
    var awsAccessKeyID: String?
    var awsSecretAccessKey: Secret?

    public init() {
        githubAPIURL = GafferConfiguration.defaultGitHubAPIURL
    }

    static let defaultGitHubAPIURL: URL = {
        var components = URLComponents()
        components.scheme = "https"
        components.host = "api.github.com"
        return components.url ?? URL(fileURLWithPath: "/")
    }()

    /// How Gaffer authenticates to GitHub, or nil when nothing is configured.
    public var githubCredentials: GitHubCredentials? {
        if let githubAppID, let githubPrivateKey { return .app(id: githubAppID, privateKeyPEM: githubPrivateKey) }
        return githubToken.map(GitHubCredentials.token)
    }

    public var gitCacheRoot: URL {
        gitCacheDirectory ?? dataDirectory.appendingPathComponent("git")
    }

    /// The workspace settings these values make: the bot's identity and the file set limits.
    public func gitSettings() throws -> GitWorkspaces.Settings {
        let identity = try GitIdentity(
            name: gitAuthorName ?? botLogin,
            email: gitAuthorEmail ?? "\(botLogin)@users.noreply.github.com"
        )
        return GitWorkspaces.Settings(identity: identity, limits: FileSetLimits(maxFileBytes: gitMaxFileBytes, maxFiles: gitMaxFiles))
    }

    /// The SSH credentials these values make, or nil without a key.
    public var gitSSHCredentials: GitCredentials? {
        guard let gitSSHKeyFile else { return nil }
        let publicKey = gitSSHKeyFile + ".pub"
        return .sshKey(
            privateKeyPath: gitSSHKeyFile,
            publicKeyPath: FileManager.default.fileExists(atPath: publicKey) ? publicKey : nil,
            passphrase: gitSSHKeyPassphrase,
            hostKeys: gitSSHHostKeys
        )
    }

    /// The AWS settings with the default region filled in.
    public var awsSettings: AWSSettings {
        var settings = aws
        settings.region = settings.region ?? defaultRegion
        return settings
    }

    /// How issues are read: the trigger label and the default region.
    public var parserOptions: IssueParser.Options { IssueParser.Options(triggerLabel: triggerLabel, defaultRegion: defaultRegion) }

    public var retryPolicy: RetryPolicy {
        RetryPolicy(baseDelay: .seconds(jobBackoffBaseSeconds), maxDelay: .seconds(jobBackoffMaxSeconds))
    }
}
