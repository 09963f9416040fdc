import Foundation
import GafferAWS
import GafferCore
import GafferStore
import Logging
import Yams

/// One thing wrong with the configuration: where it came from, what was
/// given, and what would be right.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    public var source: String
    public var message: String

    public var description: String { "\(source): \(message)" }
}

/// The configuration could not be used; every problem found is listed.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var problems: [ConfigurationProblem]

    public var description: String {
        (["the configuration has \(problems.count) problem\(problems.count == 1 ? "" : "s"):"]
            + problems.map { "  - \($0)" }).joined(separator: "\n")
    }
}

/// What the command about to run needs from the configuration.
public struct ConfigurationNeeds: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// A port to listen on and a webhook secret (`serve`).
    public static let httpServer = ConfigurationNeeds(rawValue: 1)
    /// A data directory Gaffer can write.
    public static let dataDirectory = ConfigurationNeeds(rawValue: 2)
    /// Credentials for GitHub.
    public static let github = ConfigurationNeeds(rawValue: 4)
}

/// Reads `gaffer.yml` and `GAFFER_*` variables into a `GafferConfiguration`.
public enum ConfigurationLoader {
    /// The configuration file read when none is named: `gaffer.yml` in the working directory, if there.
    public static let defaultFileName = "gaffer.yml"

    /// One setting: its key in the file and how to apply a text value to the configuration.
    struct Setting: Sendable {
        let key: String
        let apply: @Sendable (inout GafferConfiguration, String) -> String?

        var environmentName: String { "GAFFER_" + key.uppercased() }
    }

    static let settings: [Setting] = [
        Setting(key: "host") { config, value in
            guard !value.isEmpty else { return "is empty; give an address to listen on such as 0.0.0.0 or 127.0.0.1" }
            config.host = value
            return nil
        },
        Setting(key: "port") { config, value in
            guard let port = Int(value), (0...65535).contains(port) else {
                return "'\(value)' is not a port number; use a whole number from 1 to 65535 (0 picks a free port)"
            }
            config.port = port
            return nil
        },
        Setting(key: "data_dir") { config, value in
            guard !value.isEmpty else { return "is empty; give a directory such as ./.gaffer" }
            config.dataDirectory = URL(fileURLWithPath: value)
            return nil
        },
        Setting(key: "webhook_secret") { config, value in
            let secrets = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !secrets.isEmpty else { return "is empty; set the secret configured on the GitHub webhook" }
            config.webhookSecrets = secrets.map(Secret.init)
            return nil
        },
        Setting(key: "api_token") { config, value in
            guard value.count >= 16 else { return "is too short (\(value.count) characters); use at least 16 random characters" }
            config.apiToken = Secret(value)
            return nil
        },
        Setting(key: "workers") { config, value in
            wholeNumber(value, in: 0...256, unit: "workers") { config.workers = $0 }
        },
        Setting(key: "log_level") { config, value in
            guard let level = Logger.Level(rawValue: value.lowercased()) else {
                return "'\(value)' is not a log level; use one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))"
            }
            config.logLevel = level
            return nil
        },
        Setting(key: "job_max_attempts") { config, value in
            wholeNumber(value, in: 1...100, unit: "attempts") { config.jobMaxAttempts = $0 }
        },
        Setting(key: "job_lease_seconds") { config, value in
            seconds(value, in: 0.1...3600) { config.jobLeaseSeconds = $0 }
        },
        Setting(key: "job_backoff_base_seconds") { config, value in
            seconds(value, in: 0...3600) { config.jobBackoffBaseSeconds = $0 }
        },
        Setting(key: "job_backoff_max_seconds") { config, value in
            seconds(value, in: 0...86400) { config.jobBackoffMaxSeconds = $0 }
        },
        Setting(key: "worker_poll_seconds") { config, value in
            seconds(value, in: 0.01...60) { config.workerPollSeconds = $0 }
        },
        Setting(key: "drain_timeout_seconds") { config, value in
            seconds(value, in: 0...3600) { config.drainTimeoutSeconds = $0 }
        },
        Setting(key: "sqlite_synchronous") { config, value in
            guard let mode = SQLiteSynchronous(rawValue: value.lowercased()) else {
                return "'\(value)' is not a mode; use normal or full"
            }
            config.sqliteSynchronous = mode
            return nil
        },
        Setting(key: "database_url") { config, value in
            guard PostgresAddress.isPostgresURL(value) else {
                return
                    "is not a postgres:// URL; leave it unset for SQLite in data_dir, or write postgres://USER@HOST:5432/DATABASE?sslmode=verify-full"
            }
            do {
                config.database = try PostgresAddress(url: value)
            } catch {
                return "\(error)"
            }
            return nil
        },
        Setting(key: "database_password") { config, value in
            config.databasePassword = Secret(value)
            return nil
        },
        Setting(key: "database_password_file") { config, value in
            guard let data = FileManager.default.contents(atPath: value) else {
                return "cannot read \(value); give the path of a file holding the password"
            }
            // A file written with echo ends in a newline that is not part of the password.
            config.databasePassword = Secret(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines))
            return nil
        },
        Setting(key: "database_pool_size") { config, value in
            wholeNumber(value, in: 1...500, unit: "connections") { config.databasePoolSize = $0 }
        },
        Setting(key: "job_max_payload_bytes") { config, value in
            wholeNumber(value, in: 1024...(25 << 20), unit: "bytes") { config.jobMaxPayloadBytes = $0 }
        },
        Setting(key: "webhook_unverified_max_bytes") { config, value in
            wholeNumber(value, in: (25 << 20)...(1 << 34), unit: "bytes") { config.webhookUnverifiedMaxBytes = $0 }
        },
        Setting(key: "retention_days") { config, value in
            wholeNumber(value, in: 1...3650, unit: "days") { config.retentionDays = $0 }
        },
        Setting(key: "trigger_label") { config, value in
            // GitHub's limit for a label name.
            guard (1...50).contains(value.count) else { return "must be 1 to 50 characters, as a GitHub label is" }
            config.triggerLabel = value
            return nil
        },
        Setting(key: "bot_login") { config, value in
            guard !value.isEmpty, value.allSatisfy({ $0.isLetter || $0.isNumber || "-[]".contains($0) }) else {
                return "'\(value)' is not a GitHub login such as gaffer[bot]"
            }
            config.botLogin = value
            return nil
        },
        Setting(key: "github_api_url") { config, value in
            guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                return "'\(value)' is not an http(s) URL; use https://api.github.com or https://HOST/api/v3"
            }
            config.githubAPIURL = url
            return nil
        },
        Setting(key: "github_app_id") { config, value in
            guard !value.isEmpty, value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." }) else {
                return "'\(value)' is not an app id (digits) or client id (Iv1.…)"
            }
            config.githubAppID = value
            return nil
        },
        Setting(key: "github_private_key") { config, value in
            guard value.contains("PRIVATE KEY-----") else { return "is not a PEM private key (it should start with -----BEGIN RSA PRIVATE KEY-----)" }
            config.githubPrivateKey = Secret(value)
            return nil
        },
        Setting(key: "github_private_key_file") { config, value in
            guard let data = FileManager.default.contents(atPath: value) else { return "cannot read \(value); give the path of the app's .pem file" }
            let text = String(decoding: data, as: UTF8.self)
            guard text.contains("PRIVATE KEY-----") else { return "\(value) is not a PEM private key" }
            config.githubPrivateKey = Secret(text)
            return nil
        },
        Setting(key: "github_token") { config, value in
            guard value.count >= 20 else { return "is too short to be a GitHub token" }
            config.githubToken = Secret(value)
            return nil
        },
        Setting(key: "github_mutation_gap_seconds") { config, value in
            seconds(value, in: 0...60) { config.githubMutationGapSeconds = $0 }
        },
        Setting(key: "github_catch_up_minutes") { config, value in
            guard let number = Double(value), (0...1440).contains(number) else { return "'\(value)' is not a number of minutes from 0 to 1440" }
            config.githubCatchUpMinutes = number
            return nil
        },
        Setting(key: "health_check_interval_minutes") { config, value in
            guard let number = Double(value), (0...1440).contains(number) else { return "'\(value)' is not a number of minutes from 0 (off) to 1440" }
            config.healthCheckIntervalMinutes = number
            return nil
        },
        Setting(key: "comment_templates_dir") { config, value in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: value, isDirectory: &isDirectory), isDirectory.boolValue else {
                return "\(value) is not a directory; give a folder of <name>.md templates"
            }
            config.commentTemplatesDirectory = URL(fileURLWithPath: value)
            return nil
        },
        Setting(key: "git_cache_dir") { config, value in
            guard !value.isEmpty else { return "is empty; give a directory such as /var/lib/gaffer/git" }
            config.gitCacheDirectory = URL(fileURLWithPath: value)
            return nil
        },
        Setting(key: "git_author_name") { config, value in
            guard !value.isEmpty, !value.contains(where: { "<>\n".contains($0) }) else { return "must be a name without '<', '>' or line breaks" }
            config.gitAuthorName = value
            return nil
        },
        Setting(key: "git_author_email") { config, value in
            guard value.contains("@"), !value.contains(where: { "<> \n".contains($0) }) else { return "'\(value)' is not an email address" }
            config.gitAuthorEmail = value
            return nil
        },
        Setting(key: "git_max_file_bytes") { config, value in
            // GitHub refuses files over 100 MB.
            wholeNumber(value, in: 1...(100 << 20), unit: "bytes") { config.gitMaxFileBytes = $0 }
        },
        Setting(key: "git_max_files") { config, value in
            wholeNumber(value, in: 1...100_000, unit: "files") { config.gitMaxFiles = $0 }
        },
        Setting(key: "git_ssh_key_file") { config, value in
            guard FileManager.default.isReadableFile(atPath: value) else { return "cannot read \(value); give the path of an SSH private key" }
            config.gitSSHKeyFile = value
            return nil
        },
        Setting(key: "git_ssh_key_passphrase") { config, value in
            config.gitSSHKeyPassphrase = Secret(value)
            return nil
        },
        Setting(key: "git_ssh_host_keys") { config, value in
            let keys = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !keys.isEmpty, keys.allSatisfy({ $0.hasPrefix("SHA256:") && $0.count > 20 }) else {
                return "should be SHA-256 host key fingerprints as `ssh-keygen -lf` prints them (SHA256:...), comma-separated"
            }
            config.gitSSHHostKeys = keys
            return nil
        },
        Setting(key: "pipeline_user") { config, value in
            guard getpwnam(value) != nil else { return "there is no user named \(value) on this machine" }
            config.pipelineUser = value
            return nil
        },
        Setting(key: "pipeline_sandbox") { config, value in
            switch value.lowercased() {
            case "bubblewrap", "bwrap":
                guard FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap") else {
                    return "is bubblewrap, but /usr/bin/bwrap is not installed (apt-get install bubblewrap)"
                }
                config.pipelineSandbox = true
            case "none", "off": config.pipelineSandbox = false
            default: return "'\(value)' is not a sandbox; use bubblewrap or none"
            }
            return nil
        },
        Setting(key: "pipeline_checkov") { config, value in
            guard FileManager.default.isExecutableFile(atPath: value) else {
                return
                    "\(value) is not a program Gaffer can run; give checkov's path, such as /opt/gaffer-checkov/bin/checkov (scripts/setup installs it there)"
            }
            config.pipelineCheckov = value
            return nil
        },
        Setting(key: "pipeline_timeout_minutes") { config, value in
            guard let number = Double(value), (1...480).contains(number) else {
                return "'\(value)' is not a number of minutes from 1 to 480 (CodeBuild's limit)"
            }
            config.pipelineTimeoutMinutes = number
            return nil
        },
        Setting(key: "aws_profile") { config, value in
            guard !value.isEmpty else { return "is empty; name a profile of ~/.aws/config, or leave it out to use AWS_PROFILE or default" }
            config.aws.profile = value
            return nil
        },
        Setting(key: "aws_endpoint_url") { config, value in
            endpoint(value) { config.aws.endpointURL = $0 }
        },
        Setting(key: "aws_endpoint_urls") { config, value in
            var urls: [String: String] = [:]
            for entry in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
                guard let equals = entry.firstIndex(of: "="), !entry[..<equals].isEmpty else {
                    return "'\(entry)' should be SERVICE=URL, such as s3=http://127.0.0.1:5000"
                }
                let service = String(entry[..<equals])
                guard AWSService.all.contains(where: { $0.configKey == service }) else {
                    return "'\(service)' is not a service Gaffer calls; use one of \(AWSService.all.map(\.configKey).joined(separator: ", "))"
                }
                if let problem = endpoint(String(entry[entry.index(after: equals)...]), set: { urls[service] = $0 }) { return problem }
            }
            config.aws.endpointURLs = urls
            return nil
        },
        Setting(key: "aws_access_key_id") { config, value in
            guard value.count >= 16, value.allSatisfy({ $0.isLetter || $0.isNumber }) else {
                return "is not an access key id such as AKIAIOSFODNN7EXAMPLE"
            }
            config.awsAccessKeyID = value
            return nil
        },
        Setting(key: "aws_secret_access_key") { config, value in
            guard !value.isEmpty else { return "is empty" }
            config.awsSecretAccessKey = Secret(value)
            return nil
        },
        Setting(key: "aws_account_roles") { config, value in
            accountRoles(value) { config.aws.accountRoles = $0 }
        },
        Setting(key: "aws_readonly_account_roles") { config, value in
            accountRoles(value) { config.aws.readOnlyAccountRoles = $0 }
        },
        Setting(key: "aws_max_attempts") { config, value in
            wholeNumber(value, in: 1...10, unit: "attempts") { config.aws.maxAttempts = $0 }
        },
        Setting(key: "agent_max_steps") { config, value in
            wholeNumber(value, in: 1...200, unit: "steps") { config.planLimits.maxSteps = $0 }
        },
        Setting(key: "agent_max_handoffs") { config, value in
            wholeNumber(value, in: 0...100, unit: "handoffs") { config.planLimits.maxHandoffs = $0 }
        },
        Setting(key: "agent_step_timeout_seconds") { config, value in
            seconds(value, in: 1...3600) { config.planLimits.stepTimeoutSeconds = $0 }
        },
        Setting(key: "agent_budget_usd") { config, value in
            dollars(value, in: 0...10_000) { config.planLimits.budgetUSD = $0 }
        },
        Setting(key: "mcp_token") { config, value in
            guard value.count >= 16 else { return "is too short (\(value.count) characters); use at least 16 random characters" }
            config.mcpToken = Secret(value)
            return nil
        },
        Setting(key: "mcp_write_tools") { config, value in
            boolean(value) { config.mcpWriteTools = $0 }
        },
        Setting(key: "mcp_github_token") { config, value in
            guard !value.isEmpty else { return "is empty" }
            config.mcpGitHubToken = Secret(value)
            return nil
        },
        Setting(key: "mcp_github_token_file") { config, value in
            secretFile(value) { config.mcpGitHubToken = $0 }
        },
        Setting(key: "anthropic_api_key") { config, value in
            guard !value.isEmpty else { return "is empty" }
            config.models.anthropicKey = Secret(value)
            return nil
        },
        Setting(key: "anthropic_api_key_file") { config, value in
            secretFile(value) { config.models.anthropicKey = $0 }
        },
        Setting(key: "anthropic_base_url") { config, value in
            httpURL(value) { config.models.anthropicBaseURL = $0 }
        },
        Setting(key: "openai_api_key") { config, value in
            guard !value.isEmpty else { return "is empty" }
            config.models.openAIKey = Secret(value)
            return nil
        },
        Setting(key: "openai_api_key_file") { config, value in
            secretFile(value) { config.models.openAIKey = $0 }
        },
        Setting(key: "openai_base_url") { config, value in
            httpURL(value) { config.models.openAIBaseURL = $0 }
        },
        Setting(key: "bedrock_region") { config, value in
            guard value.wholeMatch(of: /[a-z]{2}(-[a-z]+)+-[0-9]/) != nil else { return "'\(value)' is not an AWS region, such as us-east-1" }
            config.models.bedrockRegion = value
            return nil
        },
        Setting(key: "bedrock_base_url") { config, value in
            httpURL(value) { config.models.bedrockBaseURL = $0 }
        },
        Setting(key: "agent_models") { config, value in
            ModelSettings.readAgentModels(list(value)) { config.models.agentModels = $0 }
        },
        Setting(key: "model_prices") { config, value in
            ModelSettings.readPrices(list(value), over: config.models.prices) { config.models.prices = $0 }
        },
        Setting(key: "model_budget_task_usd") { config, value in
            dollars(value, in: 0...100_000) { config.models.budget.taskUSD = $0 }
        },
        Setting(key: "model_budget_daily_usd") { config, value in
            dollars(value, in: 0...100_000) { config.models.budget.dailyUSD = $0 }
        },
        Setting(key: "model_budget_monthly_usd") { config, value in
            dollars(value, in: 0...1_000_000) { config.models.budget.monthlyUSD = $0 }
        },
        Setting(key: "model_timeout_seconds") { config, value in
            seconds(value, in: 1...3600) { config.models.timeoutSeconds = $0 }
        },
        Setting(key: "model_max_attempts") { config, value in
            wholeNumber(value, in: 1...10, unit: "attempts") { config.models.maxAttempts = $0 }
        },
        Setting(key: "mcp_servers") { config, value in
            MCPClientSettings.readServers(list(value)) { config.mcpClient.servers = $0 }
        },
        Setting(key: "mcp_allowed_tools") { config, value in
            MCPClientSettings.readAllowed(list(value)) { config.mcpClient.allowed = $0 }
        },
        Setting(key: "model_code_iterations") { config, value in
            wholeNumber(value, in: 1...200, unit: "model calls") { config.models.codeIterations = $0 }
        },
        Setting(key: "model_code_minutes") { config, value in
            guard let minutes = Double(value), (1...240).contains(minutes) else { return "'\(value)' is not a number of minutes from 1 to 240" }
            config.models.codeMinutes = minutes
            return nil
        },
        Setting(key: "command_permissions") { config, value in
            for entry in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
                let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, let command = CommandName(rawValue: parts[0].lowercased().trimmingPrefix("/").description),
                    let permission = Permission(rawValue: parts[1].lowercased()), permission != .none
                else {
                    return
                        "'\(entry)' should be COMMAND=PERMISSION, such as apply=maintain (commands: \(CommandName.allCases.map(\.rawValue).joined(separator: ", ")); permissions: read, triage, write, maintain, admin)"
                }
                config.authorization.required[command] = permission
            }
            return nil
        },
        Setting(key: "command_users") { config, value in
            var users: [CommandName: Set<String>] = [:]
            var teams: [CommandName: Set<String>] = [:]
            for entry in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
                let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                let logins = parts.count == 2 ? parts[1].split(separator: " ").map { $0.trimmingPrefix("@").lowercased() } : []
                guard parts.count == 2, let command = CommandName(rawValue: parts[0].lowercased().trimmingPrefix("/").description), !logins.isEmpty,
                    logins.allSatisfy({ $0.split(separator: "/").count <= 2 && $0.allSatisfy { $0.isLetter || $0.isNumber || "-_/".contains($0) } })
                else {
                    return
                        "'\(entry)' should be COMMAND=WHO [WHO...], each a login or an ORG/TEAM, such as apply=alice acme/platform: only they may run it (besides having its permission)"
                }
                users[command, default: []].formUnion(logins.filter { !$0.contains("/") })
                teams[command, default: []].formUnion(logins.filter { $0.contains("/") })
            }
            config.authorization.allowedUsers = users.filter { !$0.value.isEmpty }
            config.authorization.allowedTeams = teams.filter { !$0.value.isEmpty }
            return nil
        },
        Setting(key: "autoplan") { config, value in
            boolean(value) { config.changes.autoplan = $0 }
        },
        Setting(key: "repository_overrides") { config, value in
            let keys = Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            if let unknown = keys.subtracting(ConfigurationLoader.repositoryKeys).sorted().first {
                return
                    "'\(unknown)' cannot be left to a repository; choose from \(ConfigurationLoader.repositoryKeys.sorted().joined(separator: ", "))"
            }
            config.repositoryOverrides = keys
            return nil
        },
        Setting(key: "merge_after_apply") { config, value in
            boolean(value) { config.changes.mergeAfterApply = $0 }
        },
        Setting(key: "destructive_approval") { config, value in
            boolean(value) { config.changes.destructiveApproval = $0 }
        },
        Setting(key: "autonomy_required_level") { config, value in
            wholeNumber(value, in: 0...10, unit: "levels") { config.changes.stewardship.requiredLevel = $0 }
        },
        Setting(key: "autonomy_levels") { config, value in
            var levels: [String: Int] = [:]
            for entry in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
                let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, parts[0].hasPrefix("AWS::"), parts[0].split(separator: ":", omittingEmptySubsequences: true).count == 3,
                    let level = Int(parts[1]), (0...10).contains(level)
                else {
                    return "'\(entry)' should be TYPE=LEVEL, a CloudFormation type and a level from 0 to 10, such as AWS::RDS::DBInstance=3"
                }
                levels[parts[0]] = level
            }
            config.changes.stewardship.levels = levels
            return nil
        },
        Setting(key: "redact_patterns") { config, value in
            let patterns = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for pattern in patterns {
                do {
                    _ = try Redactor(extra: [pattern])
                } catch {
                    return "'\(pattern)' is not a regular expression: \(error)"
                }
            }
            config.redactPatterns = patterns
            return nil
        },
        Setting(key: "budget_task_usd") { config, value in
            guard let usd = Double(value), usd >= 0 else { return "'\(value)' is not an amount of US dollars; use a number such as 50" }
            config.changes.budgets.taskUSD = usd
            return nil
        },
        Setting(key: "budget_monthly_usd") { config, value in
            guard let usd = Double(value), usd >= 0 else { return "'\(value)' is not an amount of US dollars; use a number such as 1000" }
            config.changes.budgets.monthlyUSD = usd
            return nil
        },
        Setting(key: "dashboard_users") { config, value in
            config.dashboard.users = Set(list(value).map { $0.lowercased() })
            return nil
        },
        Setting(key: "dashboard_teams") { config, value in
            let teams = list(value)
            if let bad = teams.first(where: { $0.split(separator: "/").count != 2 }) {
                return "'\(bad)' is not a team; write teams as org/team-slug"
            }
            config.dashboard.teams = Set(teams.map { $0.lowercased() })
            return nil
        },
        Setting(key: "github_oauth_client_id") { config, value in
            config.dashboard.oauthClientID = value.isEmpty ? nil : value
            return nil
        },
        Setting(key: "github_oauth_client_secret") { config, value in
            config.dashboard.oauthClientSecret = value.isEmpty ? nil : Secret(value)
            return nil
        },
        Setting(key: "github_web_url") { config, value in
            guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? "") else {
                return "'\(value)' is not an http(s) URL; use https://github.com or your GitHub Enterprise Server's address"
            }
            config.dashboard.githubWebURL = url
            return nil
        },
        Setting(key: "public_url") { config, value in
            guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                return "'\(value)' is not an http(s) URL; give the address people reach Gaffer at, such as https://gaffer.example.com"
            }
            config.dashboard.publicURL = url
            return nil
        },
        Setting(key: "dashboard_session_hours") { config, value in
            guard let hours = Double(value), hours > 0, hours <= 24 * 30 else { return "'\(value)' is not a number of hours from 0 to 720" }
            config.dashboard.sessionHours = hours
            return nil
        },
        Setting(key: "protected_resources") { config, value in
            var rules: [ProtectedResources.Rule] = []
            for entry in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
                switch ProtectedResources.rule(entry) {
                case .success(let rule): rules.append(rule)
                case .failure(let error): return error.description
                }
            }
            config.changes.protected = ProtectedResources(rules: rules)
            return nil
        },
        Setting(key: "apply_requirements") { config, value in
            var chosen: Set<ApplyRequirementName> = []
            for entry in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
                guard let name = ApplyRequirementName(rawValue: entry.lowercased()) else {
                    return
                        "'\(entry)' is not an apply requirement; choose from \(ApplyRequirementName.allCases.map(\.rawValue).joined(separator: ", ")) (the plan being current, the pipeline, the lock and the cost threshold always apply)"
                }
                chosen.insert(name)
            }
            config.changes.applyRequirements = chosen
            return nil
        },
        Setting(key: "cost_approval_threshold_usd") { config, value in
            dollars(value, in: 0...1_000_000) { config.costApprovalThresholdUSD = $0 }
        },
        Setting(key: "cost_prices_file") { config, value in
            guard FileManager.default.isReadableFile(atPath: value) else {
                return "\(value) cannot be read; give a price table shaped like templates/cost/prices.json"
            }
            config.costPricesFile = value
            return nil
        },
        Setting(key: "default_region") { config, value in
            guard AwsRegion.all.contains(value) else { return "'\(value)' is not an AWS region code such as eu-west-1" }
            config.defaultRegion = value
            return nil
        },
    ]

    /// Checked as the AWS client will read it, so a value that loads is one the client takes.
    private static func endpoint(_ value: String, set: (String) -> Void) -> String? {
        do {
            _ = try AWSEndpoint(value, source: "")
        } catch {
            return "'\(value)' is not an endpoint URL such as http://127.0.0.1:5000"
        }
        set(value)
        return nil
    }

    /// `ACCOUNT=arn:aws:iam::ACCOUNT:role/NAME[;EXTERNAL_ID]`, comma-separated.
    private static func accountRoles(_ value: String, set: ([String: AccountRole]) -> Void) -> String? {
        var roles: [String: AccountRole] = [:]
        for entry in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            let roleAndID = parts.count == 2 ? parts[1].split(separator: ";", maxSplits: 1).map(String.init) : []
            guard parts.count == 2, let arn = roleAndID.first, let account = AccountRole.account(of: arn), account == parts[0] else {
                return
                    "'\(entry)' should be ACCOUNT=arn:aws:iam::ACCOUNT:role/NAME, optionally followed by ;EXTERNAL_ID (the account in the ARN must match)"
            }
            roles[account] = AccountRole(roleARN: arn, externalID: roleAndID.count > 1 ? roleAndID[1] : nil)
        }
        set(roles)
        return nil
    }

    /// A file holding a secret; a trailing newline (echo's) is not part of it.
    private static func secretFile(_ path: String, set: (Secret) -> Void) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return "cannot read \(path); give the path of a file holding the key" }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return "\(path) is empty" }
        set(Secret(text))
        return nil
    }

    private static func httpURL(_ value: String, set: (String) -> Void) -> String? {
        guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            return "'\(value)' is not an http(s) URL, such as https://api.openai.com/v1 or http://127.0.0.1:11434/v1"
        }
        set(value)
        return nil
    }

    /// A comma-separated list, trimmed, without empty entries.
    private static func list(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private static func wholeNumber(_ value: String, in range: ClosedRange<Int>, unit: String, set: (Int) -> Void) -> String? {
        guard let number = Int(value), range.contains(number) else {
            return "'\(value)' is not a whole number of \(unit) from \(range.lowerBound) to \(range.upperBound)"
        }
        set(number)
        return nil
    }

    private static func boolean(_ value: String, set: (Bool) -> Void) -> String? {
        switch value.lowercased() {
        case "true", "yes", "on", "1": set(true)
        case "false", "no", "off", "0": set(false)
        default: return "'\(value)' is not true or false"
        }
        return nil
    }

    private static func dollars(_ value: String, in range: ClosedRange<Double>, set: (Double) -> Void) -> String? {
        guard let number = Double(value.hasPrefix("$") ? String(value.dropFirst()) : value), range.contains(number) else {
            return "'\(value)' is not an amount of US dollars from \(range.lowerBound.formatted()) to \(range.upperBound.formatted())"
        }
        set(number)
        return nil
    }

    private static func seconds(_ value: String, in range: ClosedRange<Double>, set: (Double) -> Void) -> String? {
        guard let number = Double(value), range.contains(number) else {
            return "'\(value)' is not a number of seconds from \(range.lowerBound.formatted()) to \(range.upperBound.formatted())"
        }
        set(number)
        return nil
    }

    /// Loads the configuration.
    /// - Parameters:
    ///   - file: the file named on the command line; without it `gaffer.yml` is read if it exists.
    ///   - environment: the process environment.
    ///   - needs: what the command about to run requires; a missing requirement is a problem.
    public static func load(
        file: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        needs: ConfigurationNeeds,
        fileManager: FileManager = .default
    ) throws(ConfigurationError) -> GafferConfiguration {
        var configuration = GafferConfiguration()
        var problems: [ConfigurationProblem] = []

        let path = file ?? environment["GAFFER_CONFIG"] ?? (fileManager.fileExists(atPath: defaultFileName) ? defaultFileName : nil)
        if let path {
            problems += applyFile(path: path, to: &configuration, mustExist: file != nil || environment["GAFFER_CONFIG"] != nil)
        }
        for setting in settings {
            guard let value = environment[setting.environmentName] else { continue }
            if let message = setting.apply(&configuration, value.trimmingCharacters(in: .whitespaces)) {
                problems.append(ConfigurationProblem(source: setting.environmentName, message: message))
            }
        }

        if needs.contains(.httpServer) && configuration.webhookSecrets.isEmpty {
            problems.append(
                ConfigurationProblem(
                    source: "GAFFER_WEBHOOK_SECRET",
                    message:
                        "no webhook secret is set, so no delivery could be verified; set the secret of the GitHub webhook (several, comma-separated, while rotating)"
                )
            )
        }
        switch (configuration.awsAccessKeyID, configuration.awsSecretAccessKey) {
        case let (id?, secret?): configuration.aws.credentials = AWSCredentials(accessKeyID: id, secretAccessKey: secret)
        case (nil, nil): break
        default:
            problems.append(
                ConfigurationProblem(
                    source: "GAFFER_AWS_ACCESS_KEY_ID",
                    message: "aws_access_key_id and aws_secret_access_key go together; set both, or neither to use the environment or ~/.aws"
                )
            )
        }
        if configuration.jobBackoffMaxSeconds < configuration.jobBackoffBaseSeconds {
            problems.append(
                ConfigurationProblem(
                    source: "GAFFER_JOB_BACKOFF_MAX_SECONDS",
                    message:
                        "\(configuration.jobBackoffMaxSeconds.formatted()) is below job_backoff_base_seconds (\(configuration.jobBackoffBaseSeconds.formatted())); make it at least as large"
                )
            )
        }
        if configuration.githubAppID != nil, configuration.githubPrivateKey == nil {
            problems.append(
                ConfigurationProblem(
                    source: "GAFFER_GITHUB_PRIVATE_KEY_FILE",
                    message: "github_app_id is set but the app's private key is not; set github_private_key_file (or GAFFER_GITHUB_PRIVATE_KEY)"
                )
            )
        }
        if configuration.githubPrivateKey != nil, configuration.githubAppID == nil {
            problems.append(
                ConfigurationProblem(source: "GAFFER_GITHUB_APP_ID", message: "a private key is set but github_app_id is not; set the app's id")
            )
        }
        if needs.contains(.github), configuration.githubCredentials == nil {
            problems.append(
                ConfigurationProblem(
                    source: "GAFFER_GITHUB_APP_ID",
                    message: "no GitHub credentials: set github_app_id and github_private_key_file for a GitHub App, or github_token"
                )
            )
        }
        problems += configuration.models.problems(aws: configuration.awsSettings)
        problems += configuration.mcpClient.problems()
        if needs.contains(.dataDirectory), let problem = checkWritable(configuration.dataDirectory, fileManager: fileManager) {
            problems.append(problem)
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        return configuration
    }

    private static func applyFile(path: String, to configuration: inout GafferConfiguration, mustExist: Bool) -> [ConfigurationProblem] {
        guard let data = FileManager.default.contents(atPath: path) else {
            return mustExist
                ? [ConfigurationProblem(source: path, message: "cannot read the file; check the path given to --config or GAFFER_CONFIG")] : []
        }
        return apply(yaml: String(decoding: data, as: UTF8.self), source: path, allowed: nil, to: &configuration)
    }

    /// The keys a repository's `.gaffer.yml` may ever set, when the operator allows them (`repository_overrides`).
    /// `destructive_approval` is not among them: only the operator may turn that off.
    public static let repositoryKeys: Set<String> = ["autoplan", "merge_after_apply", "apply_requirements"]

    /// Applies a repository's `.gaffer.yml` over the server's configuration, for the `allowed` keys only.
    public static func applyRepositoryFile(
        _ text: String,
        allowed: Set<String>,
        to configuration: inout GafferConfiguration
    ) -> [ConfigurationProblem] {
        apply(yaml: text, source: ".gaffer.yml", allowed: allowed, to: &configuration)
    }

    /// Applies a YAML mapping of settings; `allowed` nil means every key.
    private static func apply(
        yaml text: String,
        source path: String,
        allowed: Set<String>?,
        to configuration: inout GafferConfiguration
    )
        -> [ConfigurationProblem]
    {
        let yaml: Any?
        do {
            yaml = try Yams.load(yaml: text)
        } catch {
            return [ConfigurationProblem(source: path, message: "is not valid YAML: \(error)")]
        }
        guard let yaml else { return [] }
        guard let mapping = yaml as? [String: Any] else {
            return [ConfigurationProblem(source: path, message: "must be a mapping of keys to values, such as 'port: 8080'")]
        }
        var problems: [ConfigurationProblem] = []
        let known = Dictionary(uniqueKeysWithValues: settings.map { ($0.key, $0) })
        for key in mapping.keys.sorted() {
            let source = "\(path) key \(key)"
            if let allowed, !allowed.contains(key) {
                let list = allowed.sorted().joined(separator: ", ")
                problems.append(
                    ConfigurationProblem(
                        source: source,
                        message:
                            "may not be set by a repository here (Gaffer's repository_overrides allow \(list.isEmpty ? "none" : list)); remove it"
                    )
                )
                continue
            }
            guard let setting = known[key] else {
                let hint = EditDistance.nearest(to: key, in: settings.map(\.key), within: 3).map { "; did you mean \($0)?" } ?? ""
                problems.append(ConfigurationProblem(source: source, message: "is not a setting Gaffer knows\(hint)"))
                continue
            }
            let text: String
            switch mapping[key] {
            case let list as [Any]: text = list.map { "\($0)" }.joined(separator: ",")
            case let value as String: text = value
            case let value as Int: text = String(value)
            case let value as Double: text = String(value)
            case let value as Bool: text = String(value)
            default:
                problems.append(ConfigurationProblem(source: source, message: "must be a single value"))
                continue
            }
            if let message = setting.apply(&configuration, text) {
                problems.append(ConfigurationProblem(source: source, message: message))
            }
        }
        return problems
    }

    private static func checkWritable(_ directory: URL, fileManager: FileManager) -> ConfigurationProblem? {
        let probe = directory.appendingPathComponent(".write-check-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data().write(to: probe)
            try fileManager.removeItem(at: probe)
            return nil
        } catch {
            return ConfigurationProblem(
                source: "GAFFER_DATA_DIR",
                message:
                    "cannot write to \(directory.path) (\(whyNotWritable(directory, error: error, fileManager: fileManager))); choose a directory Gaffer may write, with data_dir or GAFFER_DATA_DIR"
            )
        }
    }

    /// Foundation's errors here say little ("error 512"); find the reason a person can act on.
    private static func whyNotWritable(_ directory: URL, error: any Error, fileManager: FileManager) -> String {
        var path = directory.standardizedFileURL
        while path.path != "/" {
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: path.path, isDirectory: &isDirectory) {
                if !isDirectory.boolValue { return "\(path.path) is a file, not a directory" }
                if !fileManager.isWritableFile(atPath: path.path) { return "permission denied on \(path.path)" }
                break
            }
            path.deleteLastPathComponent()
        }
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        return underlying?.localizedDescription ?? (error as NSError).localizedDescription
    }
}
