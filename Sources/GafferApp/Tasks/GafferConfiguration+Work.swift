import Foundation
import GafferAWS
import GafferAgents
import GafferCore
import GafferGit
import GafferMCP
import GafferModels
import GafferPipeline
import Logging

extension GafferConfiguration {
    /// The coordinator these settings make: the standard agents, the shipped templates (or
    /// `templates`), the configured prices and threshold, and the plan limits.
    public func makeCoordinator(store: any PlanStore, templates directory: URL? = nil) throws -> Coordinator {
        let templates = try directory.map { try TemplateLibrary(directory: $0) } ?? TemplateLibrary.shipped()
        let prices =
            try costPricesFile.map { path in
                try PriceTable.load(try Data(contentsOf: URL(fileURLWithPath: path)), from: path)
            } ?? PriceTable.shipped(templates)
        return Coordinator(
            agents: try AgentRegistry(StandardAgents.all),
            templates: templates,
            settings: AgentSettings(costApprovalThresholdUSD: costApprovalThresholdUSD, prices: prices),
            limits: planLimits,
            store: store
        )
    }

    /// Reports with these settings: the coordinator reading AWS through read-only clients (each
    /// account's `aws_readonly_account_roles` role first), and the registry in `store`.
    public func makeReportWork(
        store: any ChangeStore & PlanStore,
        templates directory: URL? = nil,
        clock: any WallClock = SystemWallClock()
    ) throws
        -> ReportWork
    {
        var coordinator = try makeCoordinator(store: store, templates: directory)
        var sources = ReportSources(base: try AWSClient.standard(awsSettings), registry: store)
        sources.stewardship = changes.stewardship
        coordinator.reports = sources
        return ReportWork(
            coordinator: coordinator,
            store: store,
            directory: dataDirectory.appendingPathComponent("reports", isDirectory: true),
            clock: clock
        )
    }

    /// Gaffer's git workspaces with these settings (one set per process: they share the mirrors).
    /// - Parameter sharedLocks: the store's task locks when several machines share it (PostgreSQL).
    public func makeWorkspaces(sharedLocks: (any SharedLocks)? = nil) throws -> GitWorkspaces {
        try GitWorkspaces(root: gitCacheRoot.path, settings: try gitSettings(), sharedLocks: sharedLocks)
    }

    /// What runs pull requests' pipelines with these settings: the build user and sandbox, the
    /// timeout, and parameters from SSM and Secrets Manager when AWS is configured.
    /// The pipelines' logs kept per task, for the dashboard.
    public var taskLogs: TaskLogs {
        var logs = TaskLogs(root: dataDirectory.appendingPathComponent("logs", isDirectory: true))
        logs.redactor = redactor
        return logs
    }

    public func makePullRequestPipeline(workspaces: GitWorkspaces) -> PullRequestPipeline {
        let resolver: any ParameterResolver =
            (try? AWSClient.standard(awsSettings)).map { AWSParameterResolver(client: $0) } ?? StaticParameterResolver()
        var pipeline = PullRequestPipeline(
            workspaces: workspaces,
            runner: BuildRunner(resolver: resolver, isolation: pipelineIsolation),
            workDirectory: dataDirectory.appendingPathComponent("pipelines", isDirectory: true),
            timeout: .milliseconds(Int64(pipelineTimeoutMinutes * 60_000))
        )
        pipeline.taskLogs = taskLogs
        pipeline.checkov = pipelineCheckov.map { CheckovReview(executable: $0, skips: (try? CheckovReview.shippedSkips()) ?? []) }
        return pipeline
    }

    private var pipelineIsolation: BuildIsolation { BuildIsolation(user: pipelineUser, bubblewrap: pipelineSandbox) }

    /// What writes application code beyond a blueprint (`agent_models: deployment=…`), or nil when no model is
    /// configured for it. Its test runs are pull-request pipelines with no parameters or secrets, isolated the same way.
    public func makeApplicationCoder(spend: any ModelSpendStore, clock: any WallClock, logger: Logger) -> ApplicationCoder? {
        guard let model = models.model(for: .deployment, aws: awsSettings, spend: spend, clock: clock, logger: logger) else { return nil }
        let tests = PipelineApplicationTests(
            runner: BuildRunner(isolation: pipelineIsolation),
            timeout: .milliseconds(Int64(pipelineTimeoutMinutes * 60_000))
        )
        var coder = ApplicationCoder(model: model, tests: tests, workDirectory: dataDirectory.appendingPathComponent("code", isDirectory: true))
        coder.maxIterations = models.codeIterations
        let servers = mcpClient.specs
        if !servers.isEmpty { coder.external = MCPClientTools(servers: servers) }
        coder.maxSeconds = models.codeMinutes * 60
        return coder
    }

    /// Plans and applies with these settings: CloudFormation through the configured AWS credentials and account roles,
    /// its calls timed in `metrics` when given.
    public func makeChangeWork(
        store: any ChangeStore & PlanStore & KnowledgeStore,
        workspaces: GitWorkspaces,
        metrics: GafferMetrics? = nil,
        clock: any WallClock = SystemWallClock()
    ) throws -> ChangeWork {
        let accounts = AccountClients(base: try AWSClient.standard(awsSettings))
        let stacks = CloudFormationStacks(accounts: accounts)
        var work = ChangeWork(
            store: store,
            stacks: metrics.map { TimedStackOperations(base: stacks, metrics: $0) } ?? stacks,
            workspaces: workspaces,
            parser: IssueParser(options: parserOptions),
            settings: changes,
            repositoryOverrides: repositoryOverrides,
            defaultRegion: defaultRegion ?? "us-east-1",
            workDirectory: dataDirectory.appendingPathComponent("plans", isDirectory: true),
            clock: clock
        )
        work.actions = AWSResourceActions(accounts: accounts)
        return work
    }
}
