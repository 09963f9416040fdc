import Foundation
import GafferCore
import HTTPTypes
import Hummingbird

/// The JSON the dashboard's pages are built from, for scripts: a session cookie (with `X-CSRF-Token` on a
/// `POST`) or the operator token as `Authorization: Bearer`.
struct DashboardAPI: Sendable {
    let routes: DashboardRoutes
    private var data: any DashboardData { routes.pages.data }

    func register(on router: Router<some RequestContext>) {
        router.get("/dashboard/api/overview") { request, _ in try await self.read(request) { try await self.overview() } }
        router.get("/dashboard/api/decisions") { request, _ in
            try await self.read(request) { try await self.data.waitingChangePlans(page: request.page, perPage: DashboardPages.perPage) }
        }
        router.get("/dashboard/api/tasks") { request, _ in
            try await self.read(request) {
                try await self.data.tasks(
                    state: request.uri.queryParameters.get("state").flatMap(Plan.State.init(rawValue:)),
                    search: request.uri.queryParameters.get("q").map { String($0) },
                    page: request.page,
                    perPage: DashboardPages.perPage
                )
            }
        }
        router.get("/dashboard/api/tasks/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            guard try await routes.access.caller(request) != nil else { return DashboardRoutes.unauthenticated() }
            guard let plan = try await self.data.plan(id: id) else {
                return JSONResponse.error(.notFound, code: "not_found", message: "there is no task with the plan id \(id)")
            }
            return JSONResponse.make(.ok, TaskDetail(plan: plan, summary: TaskSummary(plan: plan)))
        }
        router.get("/dashboard/api/resources") { request, _ in try await self.read(request) { try await self.data.registeredResources() } }
        router.get("/dashboard/api/knowledge") { request, _ in
            try await self.read(request) {
                try await self.data.knowledge(
                    kind: request.uri.queryParameters.get("kind").flatMap(KnowledgeKind.init(rawValue:)),
                    matching: request.uri.queryParameters.get("q").map { String($0) },
                    limit: min(1000, request.uri.queryParameters.get("limit").flatMap { Int($0) } ?? 200)
                )
            }
        }
        for verdict in [Decision.Verdict.approve, .deny] {
            router.post(RouterPath("/dashboard/api/decisions/\(verdict.rawValue)")) { request, _ in try await self.decide(request, verdict) }
        }
    }

    private func read(_ request: Request, _ value: () async throws -> some Encodable) async throws -> Response {
        guard try await routes.access.caller(request) != nil else { return DashboardRoutes.unauthenticated() }
        return JSONResponse.make(.ok, try await value())
    }

    struct Overview: Encodable {
        var tasks: [String: Int]
        var waitingForDecision: Int
        var runningSteps: [RunningStep]
        var recentDeployments: [Deployment]
        var resourcesByHealth: [String: Int]
        var monthToDateUSD: Double
        var paused: PauseState?
    }

    struct TaskDetail: Encodable {
        var plan: Plan
        var summary: TaskSummary
    }

    private func overview() async throws -> Overview {
        let resources = try await data.registeredResources()
        var health: [String: Int] = [:]
        for resource in resources where resource.goneSince == nil { health[resource.health, default: 0] += 1 }
        try await routes.stop.refresh()
        return Overview(
            tasks: Dictionary(uniqueKeysWithValues: try await data.taskCounts().map { ($0.key.rawValue, $0.value) }),
            waitingForDecision: try await data.waitingChangePlans(page: 1, perPage: 1).total,
            runningSteps: try await data.runningSteps(limit: 100),
            recentDeployments: try await data.recentDeployments(limit: 10),
            resourcesByHealth: health,
            monthToDateUSD: CostBook(resources: resources, deployments: []).monthToDate(now: routes.clock.now()),
            paused: routes.stop.current
        )
    }

    private struct DecisionRequest: Decodable {
        var plan: String
        var reason: String?
    }

    private func decide(_ request: Request, _ verdict: Decision.Verdict) async throws -> Response {
        guard let caller = try await routes.access.caller(request) else { return DashboardRoutes.unauthenticated() }
        guard routes.access.csrfHolds(caller, given: DashboardRoutes.csrfHeader.flatMap { request.headers[$0] }) else {
            return JSONResponse.error(.forbidden, code: "csrf", message: "send the session's CSRF token as X-CSRF-Token")
        }
        var request = request
        let body = try await request.collectBody(ifWithin: 64 << 10)
        guard let given = body.flatMap({ try? JSONDecoder().decode(DecisionRequest.self, from: Data($0.readableBytesView)) }) else {
            return JSONResponse.error(
                .badRequest,
                code: "plan_required",
                message: "send {\"plan\": \"<id from /dashboard/api/decisions>\", \"reason\": \"...\"}"
            )
        }
        switch try await routes.decision(caller, given.plan, verdict, given.reason) {
        case .recorded(let text): return JSONResponse.make(.ok, ["recorded": text])
        case .refused(let text): return JSONResponse.error(.forbidden, code: "refused", message: text)
        }
    }
}
