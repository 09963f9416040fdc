import Foundation
import GafferCore
import GafferGitHub
import GafferModels
import GafferStore
import Hummingbird
import Logging
import ServiceLifecycle

/// Gaffer assembled: the store, the event router, the job types, the
/// workers and the HTTP routes, from one configuration.
public struct GafferServer: Sendable {
    public let configuration: GafferConfiguration
    /// SQLite in the data directory, or the PostgreSQL server `database_url` names.
    public let store: any GafferDatabase
    public let metrics: GafferMetrics
    public let router: EventRouter
    public let registry: JobRegistry
    public let workers: WorkerPool
    public let logger: Logger
    public let clock: any WallClock
    /// Where answers go on GitHub; nil without credentials.
    public let github: GitHubConnection?
    /// Read-only reports; nil without GitHub credentials.
    public let reports: ReportWork?
    /// Plans, applies and the writes outside CloudFormation; nil without GitHub credentials.
    public let work: ChangeWork?
    /// The emergency stop, kept in the store.
    public let emergencyStop: EmergencyStop
    /// The dashboard's pages, read at start so a missing one stops Gaffer there, not on first use.
    let dashboardTemplates: DashboardTemplates
    /// The one poll of the store behind every open dashboard's live updates.
    let dashboardEvents: DashboardEvents

    public init(
        configuration: GafferConfiguration,
        logger: Logger,
        metrics: GafferMetrics = GafferMetrics(),
        clock: any WallClock = SystemWallClock(),
        eventHandlers: [any WebhookEventHandler]? = nil,
        extraJobHandlers: [any JobHandler] = []
    ) async throws {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.clock = clock
        try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
        let (store, applied) = try await configuration.openStore(clock: clock, logger: logger)
        self.store = store
        if !applied.isEmpty { logger.info("store migrated", metadata: ["applied": "\(applied)", "store": "\(store.location)"]) }
        github = try GitHubConnection.make(configuration)
        dashboardTemplates = try DashboardTemplates.shipped()
        dashboardEvents = DashboardEvents(data: store)
        let emergencyStop = EmergencyStop(store: store)
        self.emergencyStop = emergencyStop
        var publisher: TaskPublisher?
        var pipeline: PullRequestPipeline?
        var work: ChangeWork?
        var reports: ReportWork?
        if github != nil {
            let workspaces = try configuration.makeWorkspaces(sharedLocks: store as? any SharedLocks)
            var coordinator = try configuration.makeCoordinator(store: store)
            coordinator.knowledge = store
            coordinator.coder = configuration.makeApplicationCoder(spend: store, clock: clock, logger: logger)
            publisher = TaskPublisher(coordinator: coordinator, workspaces: workspaces)
            publisher?.emergencyStop = emergencyStop
            pipeline = configuration.makePullRequestPipeline(workspaces: workspaces)
            pipeline?.emergencyStop = emergencyStop
            let explanations = configuration.models.model(for: .explain, aws: configuration.awsSettings, spend: store, clock: clock, logger: logger)
                .map {
                    FailureExplanations(explainer: FailureExplainer(model: $0))
                }
            pipeline?.explanations = explanations
            work = try configuration.makeChangeWork(store: store, workspaces: workspaces, metrics: metrics, clock: clock)
            work?.emergencyStop = emergencyStop
            work?.explanations = explanations
            reports = try configuration.makeReportWork(store: store, clock: clock)
        }
        self.reports = reports
        self.work = work
        router = EventRouter(
            handlers: try eventHandlers
                ?? StandardEventHandlers.all(
                    configuration,
                    github: github,
                    publisher: publisher,
                    pipeline: pipeline,
                    work: work,
                    reports: reports,
                    inference: configuration.models.model(for: .intake, aws: configuration.awsSettings, spend: store, clock: clock, logger: logger)
                        .map {
                            IssueInference(model: $0, parser: IssueParser(options: configuration.parserOptions))
                        },
                    followUps: configuration.models.model(for: .review, aws: configuration.awsSettings, spend: store, clock: clock, logger: logger)
                        .map(FollowUpReader.init),
                    codeAllowed: publisher?.coordinator.coder != nil
                )
        )
        registry = JobRegistry([EchoJob(), SleepJob(), DeliveryJob(deliveries: store, router: router)] + extraJobHandlers)
        workers = WorkerPool(
            queue: store,
            registry: registry,
            settings: WorkerPool.Settings(configuration),
            dataDirectory: configuration.dataDirectory,
            metrics: metrics,
            emergencyStop: emergencyStop,
            logger: logger
        )
    }

    /// The HTTP routes.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let ingress = WebhookIngress(
            verifier: WebhookVerifier(secrets: configuration.webhookSecrets),
            deliveries: store,
            router: self.router,
            metrics: metrics,
            clock: clock,
            jobMaxAttempts: configuration.jobMaxAttempts,
            unverified: UnverifiedBodyBudget(limit: configuration.webhookUnverifiedMaxBytes),
            logger: logger
        )
        router.post("/webhooks/github") { request, context in try await ingress.handle(request, context: context) }
        JobsAPI(
            queue: store,
            registry: registry,
            authenticator: BearerAuthenticator(token: configuration.apiToken),
            maxPayloadBytes: configuration.jobMaxPayloadBytes,
            maxAttempts: configuration.jobMaxAttempts,
            clock: clock
        ).register(on: router)
        ReportsAPI(
            directory: configuration.dataDirectory.appendingPathComponent("reports", isDirectory: true),
            authenticator: BearerAuthenticator(token: configuration.apiToken)
        ).register(on: router)
        PauseAPI(stop: emergencyStop, authenticator: BearerAuthenticator(token: configuration.apiToken), metrics: metrics, clock: clock)
            .register(on: router)
        dashboardRoutes().register(on: router)
        OperationsRoutes(store: store, workers: configuration.workers > 0 ? workers : nil, metrics: metrics, emergencyStop: emergencyStop)
            .register(on: router)
        return router
    }

    func dashboardRoutes() -> DashboardRoutes {
        let web = configuration.dashboard.githubWebURL ?? DashboardSettings.webURL(forAPI: configuration.githubAPIURL)
        var signIn: (any GitHubSigningIn)?
        if let id = configuration.dashboard.oauthClientID, let secret = configuration.dashboard.oauthClientSecret {
            signIn = GitHubOAuth(webURL: web, apiURL: configuration.githubAPIURL, clientID: id, clientSecret: secret)
        }
        let decisions = github.flatMap { github in work.map { DashboardDecisions(work: $0, github: github, policy: configuration.authorization) } }
        return DashboardRoutes(
            pages: DashboardPages(data: store, configuration: configuration, clock: clock, webURL: web),
            templates: dashboardTemplates,
            access: DashboardAccess(
                sessions: store,
                settings: configuration.dashboard,
                operatorToken: configuration.apiToken,
                github: github,
                signIn: signIn,
                clock: clock
            ),
            events: dashboardEvents,
            stop: emergencyStop,
            metrics: metrics,
            decisions: decisions,
            clock: clock,
            redactor: configuration.redactor
        )
    }

    /// The workers with the deletion of what is past `retention_days`, and the catch-up of missed
    /// deliveries when Gaffer is a GitHub App.
    var backgroundServices: [any Service] {
        var services: [any Service] = [workers, dashboardEvents]
        if configuration.workers > 0 {
            services.append(
                RetentionService(
                    store: store,
                    jobsDirectory: configuration.dataDirectory.appendingPathComponent("jobs", isDirectory: true),
                    reportsDirectory: configuration.dataDirectory.appendingPathComponent("reports", isDirectory: true),
                    retention: TimeInterval(configuration.retentionDays) * 86_400,
                    clock: clock,
                    logger: logger
                )
            )
        }
        if let github, let reports, configuration.workers > 0, configuration.healthCheckIntervalMinutes > 0 {
            services.append(
                HealthWatchService(
                    watch: HealthWatch(
                        reports: reports,
                        github: github,
                        actions: work?.actions,
                        requiredLevel: configuration.changes.stewardship.requiredLevel
                    ),
                    interval: .seconds(configuration.healthCheckIntervalMinutes * 60),
                    emergencyStop: emergencyStop,
                    logger: logger
                )
            )
        }
        if let github, case .app? = configuration.githubCredentials, configuration.githubCatchUpMinutes > 0 {
            services.append(
                DeliveryCatchUpService(
                    github: github,
                    deliveries: store,
                    interval: .seconds(configuration.githubCatchUpMinutes * 60),
                    logger: logger
                )
            )
        }
        return services
    }

    /// The HTTP server with the workers as a service beside it. Shutting
    /// down stops the listener first, then drains the workers.
    public func makeApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "gaffer"),
            services: backgroundServices,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}
