import GafferCore
import GafferStore
import Hummingbird

/// `GET /health` and `GET /metrics`: for load balancers and Prometheus.
struct OperationsRoutes: Sendable {
    let store: any GafferDatabase
    let workers: WorkerPool?
    let metrics: GafferMetrics
    let emergencyStop: EmergencyStop

    struct Health: Encodable {
        struct Workers: Encodable {
            var configured: Int
            var alive: Int
            var busy: Int
            var draining: Bool
        }
        var status: String
        var store: String
        /// Which back end: `sqlite` (one machine) or `postgres` (shared by several processes).
        var database: String
        var workers: Workers
        var queueDepth: Int?
        /// Who paused Gaffer and why; nil while it runs. A paused Gaffer is healthy: it still answers.
        var paused: PauseState?
        var problems: [String]

        enum CodingKeys: String, CodingKey {
            case status, store, database, workers, problems, paused
            case queueDepth = "queue_depth"
        }
    }

    func register(on router: Router<some RequestContext>) {
        router.get("/health") { _, _ in await self.health() }
        router.get("/metrics") { _, _ in
            let bytes = try await self.metrics.render(queue: self.store)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    func health() async -> Response {
        var problems: [String] = []
        let storeUp = await store.isReachable()
        if !storeUp { problems.append("the store does not answer") }
        let depth = storeUp ? try? await store.runnableCount() : nil
        let status = workers?.status() ?? WorkerPool.Status(configured: 0, alive: 0, busy: 0, draining: false)
        if status.alive < status.configured {
            problems.append("\(status.configured - status.alive) of \(status.configured) workers are not alive")
        }
        let health = Health(
            status: problems.isEmpty ? "ok" : "unhealthy",
            store: storeUp ? "ok" : "unreachable",
            database: store is PostgresStore ? "postgres" : "sqlite",
            workers: .init(configured: status.configured, alive: status.alive, busy: status.busy, draining: status.draining),
            queueDepth: depth,
            paused: emergencyStop.current,
            problems: problems
        )
        return JSONResponse.make(problems.isEmpty ? .ok : .serviceUnavailable, health)
    }
}
