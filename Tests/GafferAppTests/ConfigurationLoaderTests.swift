import Foundation
import GafferAWS
import GafferApp
import GafferCore
import GafferGit
import GafferMCP
import GafferModels
import GafferStore
import GafferTestSupport
import Testing

@Suite struct ConfigurationLoaderTests {
    func load(
        file: String? = nil,
        _ environment: [String: String],
        needs: ConfigurationNeeds = [.httpServer]
    ) throws(ConfigurationError) -> GafferConfiguration {
        try ConfigurationLoader.load(file: file, environment: environment, needs: needs)
    }

    @Test func readsEverySettingFromTheEnvironment() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let configuration = try load(
            [
                "GAFFER_PORT": "9090", "GAFFER_HOST": "127.0.0.1", "GAFFER_DATA_DIR": directory.url.path,
                "GAFFER_WEBHOOK_SECRET": "old, new", "GAFFER_API_TOKEN": "0123456789abcdef0123", "GAFFER_WORKERS": "7",
                "GAFFER_LOG_LEVEL": "debug", "GAFFER_JOB_MAX_ATTEMPTS": "9", "GAFFER_SQLITE_SYNCHRONOUS": "full",
                "GAFFER_DRAIN_TIMEOUT_SECONDS": "3.5",
            ],
            needs: [.httpServer, .dataDirectory]
        )
        #expect(configuration.port == 9090)
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.webhookSecrets.map(\.revealed) == ["old", "new"])
        #expect(configuration.apiToken?.revealed == "0123456789abcdef0123")
        #expect(configuration.workers == 7)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.jobMaxAttempts == 9)
        #expect(configuration.sqliteSynchronous == .full)
        #expect(configuration.drainTimeoutSeconds == 3.5)
        #expect(configuration.dataDirectory.path == directory.url.path)
    }

    @Test func whoMayRunEachCommandIsConfigured() throws {
        let configuration = try load(
            ["GAFFER_COMMAND_PERMISSIONS": "apply=maintain, /plan=write", "GAFFER_COMMAND_USERS": "apply=Alice @bob Acme/Platform, destroy=carol"],
            needs: []
        )
        #expect(configuration.authorization.required[.apply] == .maintain)
        #expect(configuration.authorization.required[.plan] == .write)
        #expect(configuration.authorization.required[.help] == .read, "the others keep their defaults")
        #expect(configuration.authorization.allowedUsers[.apply] == ["alice", "bob"])
        #expect(configuration.authorization.allowedTeams[.apply] == ["acme/platform"])
        #expect(configuration.authorization.allowedTeams[.destroy] == nil)
        let bob = AuthorizationPolicy.Actor(login: "bob", permission: .admin)
        #expect(configuration.authorization.decide(.destroy, actor: bob, requester: nil) != .allowed)
        do {
            _ = try load(["GAFFER_COMMAND_PERMISSIONS": "aply=write, plan=everything", "GAFFER_COMMAND_USERS": "apply="], needs: [])
            Issue.record("expected problems")
        } catch {
            #expect(Set(error.problems.map(\.source)) == ["GAFFER_COMMAND_PERMISSIONS", "GAFFER_COMMAND_USERS"])
            #expect(error.problems.contains { $0.message.contains("'aply=write' should be COMMAND=PERMISSION") })
        }
    }

    @Test func modelsTheirPricesAndBudgetsAreReadAndWhatCannotWorkIsSaidAtStart() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let keyFile = directory.url.appendingPathComponent("anthropic-key")
        try Data("sk-ant-api03-secret-key\n".utf8).write(to: keyFile)
        let configuration = try load([
            "GAFFER_WEBHOOK_SECRET": "s", "GAFFER_ANTHROPIC_API_KEY_FILE": keyFile.path,
            "GAFFER_AGENT_MODELS": "intake=anthropic/claude-sonnet-4-5-20250929, deployment=anthropic/claude-opus-4-1",
            "GAFFER_MODEL_PRICES": "llama3.1=0/0, claude-sonnet-4-5=3/15/3.75/0.3",
            "GAFFER_MODEL_BUDGET_TASK_USD": "0.5", "GAFFER_MODEL_BUDGET_DAILY_USD": "$5", "GAFFER_MODEL_BUDGET_MONTHLY_USD": "50",
            "GAFFER_MODEL_CODE_ITERATIONS": "12", "GAFFER_MODEL_CODE_MINUTES": "5",
        ])
        #expect(configuration.models.anthropicKey?.revealed == "sk-ant-api03-secret-key")
        #expect(configuration.models.agentModels[.intake] == ModelChoice(provider: .anthropic, model: "claude-sonnet-4-5-20250929"))
        #expect(configuration.models.agentModels[.deployment] == ModelChoice(provider: .anthropic, model: "claude-opus-4-1"))
        #expect(configuration.models.codeIterations == 12 && configuration.models.codeMinutes == 5)
        do {
            _ = try load(["GAFFER_WEBHOOK_SECRET": "s", "GAFFER_MODEL_CODE_ITERATIONS": "0", "GAFFER_MODEL_CODE_MINUTES": "a day"])
            Issue.record("accepted")
        } catch {
            #expect(error.problems.count == 2)
            #expect(error.problems.map(\.message).contains("'a day' is not a number of minutes from 1 to 240"))
        }
        #expect(configuration.models.prices.price(of: "llama3.1:8b")?.output == 0)
        #expect(configuration.models.budget == ModelBudget(taskUSD: 0.5, dailyUSD: 5, monthlyUSD: 50))

        #expect(throws: ConfigurationError.self) {
            try load(["GAFFER_WEBHOOK_SECRET": "s", "GAFFER_AGENT_MODELS": "intake=anthropic/claude-sonnet-4-5"])
        }
        do {
            _ = try load([
                "GAFFER_WEBHOOK_SECRET": "s", "GAFFER_OPENAI_BASE_URL": "http://127.0.0.1:11434/v1",
                "GAFFER_AGENT_MODELS": "intake=openai/llama3.1:8b, planner=openai/x, intake=bedrock/y",
            ])
            Issue.record("accepted")
        } catch {
            let expected = "'planner' is not a role that uses a model; use intake, deployment, explain, review"
            #expect(error.problems.map(\.message).contains { $0.contains(expected) })
        }
        do {
            _ = try load([
                "GAFFER_WEBHOOK_SECRET": "s", "GAFFER_OPENAI_BASE_URL": "http://127.0.0.1:11434/v1",
                "GAFFER_AGENT_MODELS": "intake=openai/llama3.1:8b",
            ])
            Issue.record("a model without a price was accepted")
        } catch {
            #expect(
                error.problems.map(\.message) == [
                    "openai/llama3.1:8b (for intake) has no price, so its spend could not be held to the budget; add model_prices: llama3.1:8b=INPUT/OUTPUT in dollars per million tokens (0/0 for a local model)"
                ]
            )
        }
        // A local server needs no key; with a price the configuration is whole.
        let local = try load([
            "GAFFER_WEBHOOK_SECRET": "s", "GAFFER_OPENAI_BASE_URL": "http://127.0.0.1:11434/v1", "GAFFER_AGENT_MODELS": "intake=openai/llama3.1:8b",
            "GAFFER_MODEL_PRICES": "llama3.1=0/0",
        ])
        #expect(local.models.openAIKey == nil && local.models.agentModels[.intake]?.provider == .openai)
        do {
            _ = try load(["GAFFER_WEBHOOK_SECRET": "s", "GAFFER_MODEL_PRICES": "gpt-x=cheap"])
            Issue.record("accepted")
        } catch {
            #expect(error.problems.first?.message.hasPrefix("'gpt-x=cheap' should be MODEL=INPUT/OUTPUT") == true)
        }
    }

    @Test func bedrockSignsWithGafferAWSCredentialsInItsOwnRegion() throws {
        let model = "anthropic.claude-3-5-haiku-20241022-v1:0"
        let configuration = try load([
            "GAFFER_WEBHOOK_SECRET": "s", "GAFFER_AGENT_MODELS": "explain=bedrock/\(model)", "GAFFER_MODEL_PRICES": "\(model)=0.8/4",
            "GAFFER_BEDROCK_REGION": "eu-west-1",
        ])
        #expect(configuration.models.agentModels[.explain] == ModelChoice(provider: .bedrock, model: model))
        let provider = try #require(configuration.models.provider(.bedrock, aws: configuration.awsSettings) as? BedrockConverseProvider)
        #expect(provider.region == "eu-west-1")
        #expect(provider.baseURL == "https://bedrock-runtime.eu-west-1.amazonaws.com")
        // Without a region of its own, Bedrock's is Gaffer's AWS region.
        let inherited = try load(["GAFFER_WEBHOOK_SECRET": "s", "GAFFER_DEFAULT_REGION": "ap-southeast-2"])
        #expect((inherited.models.provider(.bedrock, aws: inherited.awsSettings) as? BedrockConverseProvider)?.region == "ap-southeast-2")
        do {
            _ = try load(["GAFFER_WEBHOOK_SECRET": "s", "GAFFER_BEDROCK_REGION": "Frankfurt", "GAFFER_BEDROCK_BASE_URL": "bedrock.local"])
            Issue.record("accepted")
        } catch {
            #expect(error.problems.count == 2)
            #expect(error.problems.map(\.message).contains("'Frankfurt' is not an AWS region, such as us-east-1"))
        }
    }

    @Test func mcpServersAndTheirAllowedToolsAreReadAndAServerWithoutAnyIsNamed() throws {
        let configuration = try load([
            "GAFFER_WEBHOOK_SECRET": "s",
            "GAFFER_MCP_SERVERS": "docs=/usr/bin/python3 /srv/docs.py --quiet, search=https://mcp.example.com/mcp",
            "GAFFER_MCP_ALLOWED_TOOLS": "docs/lookup, docs/style_guide, search/find",
        ])
        #expect(configuration.mcpWriteTools == false && configuration.mcpGitHubToken == nil, "off unless the operator turns them on")
        let writing = try load(["GAFFER_WEBHOOK_SECRET": "s", "GAFFER_MCP_WRITE_TOOLS": "true", "GAFFER_MCP_GITHUB_TOKEN": "ghp_person_token"])
        #expect(writing.mcpWriteTools && writing.mcpGitHubToken?.revealed == "ghp_person_token")
        let specs = configuration.mcpClient.specs
        #expect(specs.map(\.name) == ["docs", "search"])
        #expect(
            specs.first?.transport == .stdio(["/usr/bin/python3", "/srv/docs.py", "--quiet"]) && specs.first?.allowed == ["lookup", "style_guide"]
        )
        #expect(specs.last?.transport == .http(URL(string: "https://mcp.example.com/mcp")!) && specs.last?.allowed == ["find"])
        do {
            _ = try load([
                "GAFFER_WEBHOOK_SECRET": "s", "GAFFER_MCP_SERVERS": "docs=/usr/bin/docs-server, Bad_Name=x",
                "GAFFER_MCP_ALLOWED_TOOLS": "wiki/search",
            ])
            Issue.record("accepted")
        } catch {
            #expect(error.problems.map(\.message).contains { $0.contains("'Bad_Name' is not a server name") })
        }
        do {
            _ = try load(["GAFFER_WEBHOOK_SECRET": "s", "GAFFER_MCP_SERVERS": "docs=/usr/bin/docs-server", "GAFFER_MCP_ALLOWED_TOOLS": "wiki/search"])
            Issue.record("accepted")
        } catch {
            #expect(
                error.problems.map(\.message) == [
                    "wiki/search names no server of mcp_servers; add wiki=… there",
                    "the MCP server docs has no tool in mcp_allowed_tools, so agents could use none; list them as docs/TOOL",
                ]
            )
        }
    }

    @Test func protectedResourcesAreReadAndABadRuleIsNamed() throws {
        let configuration = try load(["GAFFER_PROTECTED_RESOURCES": "prod-*, arn:aws:s3:::payroll-*, tag:environment=prod"], needs: [])
        #expect(configuration.changes.protected.rules == [.stack("prod-*"), .arn("arn:aws:s3:::payroll-*"), .tag(key: "environment", value: "prod")])
        do {
            _ = try load(["GAFFER_PROTECTED_RESOURCES": "prod-*, tag:"], needs: [])
            Issue.record("expected a problem")
        } catch {
            #expect(error.problems.map(\.source) == ["GAFFER_PROTECTED_RESOURCES"])
            #expect(error.problems.first?.message.contains("'tag:': a tag rule is tag:KEY or tag:KEY=VALUE") == true, "\(error.problems)")
        }
    }

    @Test func checkovForTheChecksIsAProgramThatExists() throws {
        #expect(try load(["GAFFER_PIPELINE_CHECKOV": "/bin/true"], needs: []).pipelineCheckov == "/bin/true")
        #expect(try load([:], needs: []).pipelineCheckov == nil, "not run unless named")
        do {
            _ = try load(["GAFFER_PIPELINE_CHECKOV": "/nowhere/checkov"], needs: [])
            Issue.record("expected a problem")
        } catch {
            #expect(error.problems.map(\.source) == ["GAFFER_PIPELINE_CHECKOV"])
        }
    }

    @Test func readsTheFileAndLetsTheEnvironmentWin() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.url.appendingPathComponent("gaffer.yml")
        try """
        port: 7000
        workers: 3
        webhook_secret: [first, second]
        log_level: warning
        """.write(to: file, atomically: true, encoding: .utf8)
        let configuration = try load(file: file.path, ["GAFFER_WORKERS": "5"])
        #expect(configuration.port == 7000)
        #expect(configuration.workers == 5)
        #expect(configuration.webhookSecrets.map(\.revealed) == ["first", "second"])
        #expect(configuration.logLevel == .warning)
    }

    @Test func listsEveryProblemAtOnce() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let blocker = directory.url.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: blocker)
        do {
            _ = try load(
                [
                    "GAFFER_PORT": "http", "GAFFER_WORKERS": "-1", "GAFFER_DATA_DIR": blocker.appendingPathComponent("data").path,
                    "GAFFER_API_TOKEN": "tiny-tok",
                ],
                needs: [.httpServer, .dataDirectory]
            )
            Issue.record("expected problems")
        } catch {
            let sources = error.problems.map(\.source)
            #expect(sources.contains("GAFFER_PORT"))
            #expect(sources.contains("GAFFER_WORKERS"))
            #expect(sources.contains("GAFFER_WEBHOOK_SECRET"))
            #expect(sources.contains("GAFFER_DATA_DIR"))
            #expect(sources.contains("GAFFER_API_TOKEN"))
            #expect(error.problems.count == 5)
            let text = error.description
            #expect(text.contains("'http' is not a port number; use a whole number from 1 to 65535"))
            #expect(text.contains("cannot write to"))
            #expect(!text.contains("tiny-tok"), "a rejected token must not be echoed")
            #expect(text.contains("a-file is a file, not a directory"))
        }
    }

    @Test func gitSettingsMakeTheIdentityAndLimitsAndRefuseBadValues() throws {
        let defaults = try load(["GAFFER_WEBHOOK_SECRET": "s", "GAFFER_BOT_LOGIN": "acme-gaffer[bot]", "GAFFER_DATA_DIR": "/srv/gaffer"])
        let settings = try defaults.gitSettings()
        #expect(settings.identity == (try GitIdentity(name: "acme-gaffer[bot]", email: "acme-gaffer[bot]@users.noreply.github.com")))
        #expect(settings.limits == FileSetLimits())
        #expect(defaults.gitCacheRoot.path == "/srv/gaffer/git")

        let set = try load([
            "GAFFER_WEBHOOK_SECRET": "s", "GAFFER_GIT_CACHE_DIR": "/var/cache/gaffer-git", "GAFFER_GIT_AUTHOR_NAME": "Gaffer",
            "GAFFER_GIT_AUTHOR_EMAIL": "gaffer@example.com", "GAFFER_GIT_MAX_FILE_BYTES": "4096", "GAFFER_GIT_MAX_FILES": "10",
        ])
        #expect(set.gitCacheRoot.path == "/var/cache/gaffer-git")
        #expect(try set.gitSettings().identity.description == "Gaffer <gaffer@example.com>")
        #expect(try set.gitSettings().limits == FileSetLimits(maxFileBytes: 4096, maxFiles: 10))

        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = directory.url.appendingPathComponent("id_ed25519")
        try Data("key".utf8).write(to: key)
        let ssh = try load([
            "GAFFER_WEBHOOK_SECRET": "s", "GAFFER_GIT_SSH_KEY_FILE": key.path,
            "GAFFER_GIT_SSH_HOST_KEYS": "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s, SHA256:p2QAMXNIC1TJYWeIOttrVc98/R1BUFWu3/LiyKgUfQM",
        ])
        #expect(
            ssh.gitSSHCredentials
                == .sshKey(
                    privateKeyPath: key.path,
                    publicKeyPath: nil,
                    passphrase: nil,
                    hostKeys: ["SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s", "SHA256:p2QAMXNIC1TJYWeIOttrVc98/R1BUFWu3/LiyKgUfQM"]
                )
        )

        #expect {
            try load([
                "GAFFER_WEBHOOK_SECRET": "s", "GAFFER_GIT_AUTHOR_EMAIL": "not an email", "GAFFER_GIT_MAX_FILES": "0",
                "GAFFER_GIT_SSH_HOST_KEYS": "ssh-ed25519 AAAA", "GAFFER_GIT_SSH_KEY_FILE": "/nonexistent/key",
            ])
        } throws: { error in
            ["GAFFER_GIT_AUTHOR_EMAIL", "GAFFER_GIT_MAX_FILES", "GAFFER_GIT_SSH_HOST_KEYS", "GAFFER_GIT_SSH_KEY_FILE"].allSatisfy {
                "\(error)".contains($0)
            }
        }
    }

    @Test func pipelineSettings() throws {
        let set = try load([
            "GAFFER_WEBHOOK_SECRET": "s", "GAFFER_PIPELINE_USER": "nobody", "GAFFER_PIPELINE_TIMEOUT_MINUTES": "30",
            "GAFFER_PIPELINE_SANDBOX": "none",
        ])
        #expect(set.pipelineUser == "nobody" && set.pipelineTimeoutMinutes == 30 && !set.pipelineSandbox)
        #expect {
            try load([
                "GAFFER_WEBHOOK_SECRET": "s", "GAFFER_PIPELINE_USER": "no-such-user-here", "GAFFER_PIPELINE_SANDBOX": "docker",
                "GAFFER_PIPELINE_TIMEOUT_MINUTES": "0",
            ])
        } throws: { error in
            ["GAFFER_PIPELINE_USER", "GAFFER_PIPELINE_SANDBOX", "GAFFER_PIPELINE_TIMEOUT_MINUTES"].allSatisfy { "\(error)".contains($0) }
        }
    }

    @Test func planSettings() throws {
        let prices = FileManager.default.temporaryDirectory.appendingPathComponent("gaffer-prices-\(UUID().uuidString).json")
        try Data("{}".utf8).write(to: prices)
        defer { try? FileManager.default.removeItem(at: prices) }
        let set = try load([
            "GAFFER_WEBHOOK_SECRET": "s", "GAFFER_AGENT_MAX_STEPS": "12", "GAFFER_AGENT_MAX_HANDOFFS": "2", "GAFFER_AGENT_STEP_TIMEOUT_SECONDS": "90",
            "GAFFER_AGENT_BUDGET_USD": "$1.50", "GAFFER_COST_APPROVAL_THRESHOLD_USD": "250", "GAFFER_COST_PRICES_FILE": prices.path,
        ])
        #expect(set.planLimits == PlanLimits(maxSteps: 12, maxHandoffs: 2, stepTimeoutSeconds: 90, budgetUSD: 1.5))
        #expect(set.costApprovalThresholdUSD == 250 && set.costPricesFile == prices.path)
        #expect(try load(["GAFFER_WEBHOOK_SECRET": "s"]).planLimits == PlanLimits())
        #expect {
            try load([
                "GAFFER_WEBHOOK_SECRET": "s", "GAFFER_AGENT_MAX_STEPS": "0", "GAFFER_AGENT_BUDGET_USD": "five",
                "GAFFER_COST_APPROVAL_THRESHOLD_USD": "-1",
                "GAFFER_COST_PRICES_FILE": "/nonexistent/prices.json",
            ])
        } throws: { error in
            ["GAFFER_AGENT_MAX_STEPS", "GAFFER_AGENT_BUDGET_USD", "GAFFER_COST_APPROVAL_THRESHOLD_USD", "GAFFER_COST_PRICES_FILE"].allSatisfy {
                "\(error)".contains($0)
            }
        }
    }

    @Test func awsSettings() throws {
        let set = try load([
            "GAFFER_WEBHOOK_SECRET": "s", "GAFFER_DEFAULT_REGION": "eu-west-1", "GAFFER_AWS_PROFILE": "deploy",
            "GAFFER_AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "GAFFER_AWS_SECRET_ACCESS_KEY": "aws-secret-value",
            "GAFFER_AWS_ACCOUNT_ROLES": "111122223333=arn:aws:iam::111122223333:role/gaffer;ext-1, 444455556666=arn:aws:iam::444455556666:role/ops",
            "GAFFER_AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
            "GAFFER_AWS_ENDPOINT_URLS": "s3=http://127.0.0.1:4566,secrets_manager=https://sm.local",
            "GAFFER_AWS_MAX_ATTEMPTS": "5",
            "GAFFER_AWS_READONLY_ACCOUNT_ROLES": "111122223333=arn:aws:iam::111122223333:role/reader",
            "GAFFER_HEALTH_CHECK_INTERVAL_MINUTES": "15", "GAFFER_AUTONOMY_LEVELS": "AWS::RDS::DBInstance=3, AWS::Lambda::Function=9",
            "GAFFER_AUTONOMY_REQUIRED_LEVEL": "4",
        ])
        #expect(set.healthCheckIntervalMinutes == 15)
        #expect(set.changes.stewardship.levels == ["AWS::RDS::DBInstance": 3, "AWS::Lambda::Function": 9])
        #expect(set.changes.stewardship.requiredLevel == 4)
        let aws = set.awsSettings
        #expect(aws.region == "eu-west-1" && aws.profile == "deploy" && aws.maxAttempts == 5)
        #expect(aws.credentials?.accessKeyID == "AKIAIOSFODNN7EXAMPLE" && aws.credentials?.secretAccessKey.revealed == "aws-secret-value")
        #expect(aws.accountRoles["111122223333"] == AccountRole(roleARN: "arn:aws:iam::111122223333:role/gaffer", externalID: "ext-1"))
        #expect(aws.accountRoles["444455556666"] == AccountRole(roleARN: "arn:aws:iam::444455556666:role/ops"))
        #expect(aws.readOnlyAccountRoles == ["111122223333": AccountRole(roleARN: "arn:aws:iam::111122223333:role/reader")])
        #expect(aws.endpointURL == "http://127.0.0.1:5000")
        #expect(aws.endpointURLs == ["s3": "http://127.0.0.1:4566", "secrets_manager": "https://sm.local"])
        var text = ""
        dump(set, to: &text)
        #expect(!text.contains("aws-secret-value"))
        #expect {
            try load([
                "GAFFER_WEBHOOK_SECRET": "s", "GAFFER_AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
                "GAFFER_AWS_ACCOUNT_ROLES": "111122223333=arn:aws:iam::999999999999:role/x", "GAFFER_AWS_ENDPOINT_URLS": "s4=http://x",
                "GAFFER_AWS_ENDPOINT_URL": "localhost:4566", "GAFFER_AWS_MAX_ATTEMPTS": "0",
                "GAFFER_AWS_READONLY_ACCOUNT_ROLES": "123=arn:aws:iam::123:role/x", "GAFFER_HEALTH_CHECK_INTERVAL_MINUTES": "-1",
                "GAFFER_AUTONOMY_LEVELS": "RDS=3",
            ])
        } throws: { error in
            let text = "\(error)"
            return text.contains("the account in the ARN must match") && text.contains("'s4' is not a service Gaffer calls")
                && text.contains("'localhost:4566' is not an endpoint URL")
                && text.contains("aws_access_key_id and aws_secret_access_key go together")
                && text.contains("GAFFER_AWS_MAX_ATTEMPTS") && text.contains("GAFFER_AWS_READONLY_ACCOUNT_ROLES")
                && text.contains("GAFFER_HEALTH_CHECK_INTERVAL_MINUTES") && text.contains("'RDS=3' should be TYPE=LEVEL")
        }
    }

    @Test func anUnknownKeyInTheFileIsAProblemWithASuggestion() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.url.appendingPathComponent("gaffer.yml")
        try "webhook_secert: x\nport: 8080\n".write(to: file, atomically: true, encoding: .utf8)
        #expect {
            try load(file: file.path, [:])
        } throws: { error in
            "\(error)".contains("webhook_secert") && "\(error)".contains("did you mean webhook_secret?")
        }
    }

    @Test func aNamedFileThatDoesNotExistIsAProblem() {
        #expect {
            try load(file: "/nonexistent/gaffer.yml", ["GAFFER_WEBHOOK_SECRET": "s"])
        } throws: { error in
            "\(error)".contains("/nonexistent/gaffer.yml")
        }
    }

    @Test func aWorkerNeedsNoWebhookSecret() throws {
        let configuration = try load([:], needs: [])
        #expect(configuration.webhookSecrets.isEmpty)
        #expect(configuration.port == 8080)
        #expect(configuration.workers == 4)
    }

    @Test func secretsNeverAppearWhenTheConfigurationIsPrinted() throws {
        let configuration = try load(["GAFFER_WEBHOOK_SECRET": "wh-secret-value", "GAFFER_API_TOKEN": "api-token-value-123456"])
        var text = ""
        dump(configuration, to: &text)
        text += "\(configuration)"
        #expect(!text.contains("wh-secret-value"))
        #expect(!text.contains("api-token-value-123456"))
    }

    @Test func howPlansAndAppliesGoIsConfigured() throws {
        let defaults = try load([:], needs: [])
        #expect(defaults.changes.autoplan && defaults.changes.mergeAfterApply && defaults.changes.destructiveApproval)
        #expect(defaults.changes.applyRequirements == [.approved, .mergeable])
        let configuration = try load(
            [
                "GAFFER_AUTOPLAN": "false", "GAFFER_MERGE_AFTER_APPLY": "no", "GAFFER_APPLY_REQUIREMENTS": "Mergeable",
                "GAFFER_DESTRUCTIVE_APPROVAL": "off",
            ],
            needs: []
        )
        #expect(!configuration.changes.autoplan && !configuration.changes.mergeAfterApply && !configuration.changes.destructiveApproval)
        #expect(configuration.changes.applyRequirements == [.mergeable])
        #expect(try load(["GAFFER_APPLY_REQUIREMENTS": ""], needs: []).changes.applyRequirements.isEmpty, "none of the optional ones")
        let overrides = try load(["GAFFER_REPOSITORY_OVERRIDES": "autoplan, apply_requirements"], needs: []).repositoryOverrides
        #expect(overrides == ["autoplan", "apply_requirements"])

        // A repository's file, over the server's: only the keys left to it.
        var server = try load([:], needs: [])
        let problems = ConfigurationLoader.applyRepositoryFile(
            "apply_requirements: [mergeable]\ndestructive_approval: false\nautoplan: perhaps\n",
            allowed: ["apply_requirements", "autoplan"],
            to: &server
        )
        #expect(server.changes.applyRequirements == [.mergeable] && server.changes.destructiveApproval)
        #expect(problems.map(\.source) == [".gaffer.yml key autoplan", ".gaffer.yml key destructive_approval"])
        let refusal = "may not be set by a repository here (Gaffer's repository_overrides allow apply_requirements, autoplan)"
        #expect(problems.last?.message.contains(refusal) == true)
        do {
            _ = try load(["GAFFER_REPOSITORY_OVERRIDES": "destructive_approval"], needs: [])
            Issue.record("expected a problem")
        } catch {
            #expect(error.problems.first?.message.contains("'destructive_approval' cannot be left to a repository") == true)
        }
        do {
            _ = try load(["GAFFER_AUTOPLAN": "maybe", "GAFFER_APPLY_REQUIREMENTS": "approved, reviewed"], needs: [])
            Issue.record("expected problems")
        } catch {
            #expect(error.problems.contains { $0.source == "GAFFER_AUTOPLAN" && $0.message.contains("'maybe' is not true or false") })
            #expect(error.problems.contains { $0.message.contains("'reviewed' is not an apply requirement; choose from approved, mergeable") })
        }
    }

    @Test func aDatabaseURLIsReadAsLibpqReadsItAndItsPasswordIsNeverShown() throws {
        let directory = try TemporaryDirectory("gaffer-config")
        defer { directory.remove() }
        let passwordFile = directory.url.appendingPathComponent("password").path
        try Data("from-the-file\n".utf8).write(to: URL(fileURLWithPath: passwordFile))
        let configuration = try load(
            [
                "GAFFER_DATABASE_URL": "postgresql://gaffer:in-the-url@db.example.com/gaffer?sslmode=verify-full",
                "GAFFER_DATABASE_PASSWORD_FILE": passwordFile, "GAFFER_DATABASE_POOL_SIZE": "24",
            ],
            needs: []
        )
        let address = try #require(configuration.database)
        #expect(address.host == "db.example.com" && address.port == 5432 && address.database == "gaffer" && address.tls == .verifyFull)
        #expect(configuration.databasePassword?.revealed == "from-the-file" && configuration.databasePoolSize == 24)
        #expect(configuration.database?.description == "postgres://gaffer:***@db.example.com:5432/gaffer?sslmode=verify-full")
        #expect(!"\(configuration)".contains("in-the-url") && !"\(configuration)".contains("from-the-file"))

        do {
            _ = try load(
                ["GAFFER_DATABASE_URL": "mysql://gaffer@db/gaffer", "GAFFER_DATABASE_POOL_SIZE": "0", "GAFFER_DATABASE_PASSWORD_FILE": "/nope"],
                needs: []
            )
            Issue.record("expected problems")
        } catch {
            #expect(error.problems.contains { $0.source == "GAFFER_DATABASE_URL" && $0.message.contains("is not a postgres:// URL") })
            #expect(error.problems.contains { $0.source == "GAFFER_DATABASE_POOL_SIZE" })
            #expect(error.problems.contains { $0.source == "GAFFER_DATABASE_PASSWORD_FILE" && $0.message.contains("cannot read /nope") })
        }
        for (url, complaint) in [
            ("postgres://gaffer@db/gaffer?sslmode=always", "sslmode 'always' is not one of disable, prefer, require, verify-ca, verify-full"),
            ("postgres://gaffer@db", "names no database"), ("postgres://db/gaffer", "names no user"),
            ("postgres://gaffer@db/gaffer?pool=3", "the parameter 'pool'"),
        ] {
            do {
                _ = try PostgresAddress(url: url)
                Issue.record("\(url) was accepted")
            } catch {
                #expect("\(error)".contains(complaint), "\(url): \(error)")
            }
        }
    }

    /// The example every operator starts from loads as it is.
    @Test func theExampleFileLoads() throws {
        let example = Conformance.packageRoot.appendingPathComponent("gaffer.example.yml").path
        let configuration = try load(file: example, ["GAFFER_WEBHOOK_SECRET": "s"], needs: [])
        #expect(configuration.githubAPIURL.absoluteString == "https://api.github.com")
        #expect(configuration.triggerLabel == "gaffer" && configuration.githubCatchUpMinutes == 10)
        #expect(configuration.aws.maxAttempts == 3)
        #expect(configuration.changes.applyRequirements == [.approved, .mergeable] && configuration.changes.autoplan)
    }
}
