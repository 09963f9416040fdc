import Foundation
import GafferCore
import Hummingbird

/// The emergency stop over HTTP, behind the operator's API token: `GET /dashboard/api/pause` says
/// whether Gaffer is paused, `POST /dashboard/api/pause` with `{"reason": "...", "by": "..."}`
/// pauses it, `POST /dashboard/api/resume` resumes it.
struct PauseAPI: Sendable {
    let stop: EmergencyStop
    let authenticator: BearerAuthenticator
    let metrics: GafferMetrics
    let clock: any WallClock

    func register(on router: Router<some RequestContext>) {
        router.get("/dashboard/api/pause") { request, _ in try await self.show(request) }
        router.post("/dashboard/api/pause") { request, _ in try await self.pause(request) }
        router.post("/dashboard/api/resume") { request, _ in try await self.resume(request) }
    }

    private struct PauseRequest: Decodable {
        var reason: String?
        var by: String?
    }

    private struct PauseAnswer: Encodable {
        var paused: Bool
        var by: String?
        var reason: String?
        var at: String?
        /// Pipelines and agent steps running now: none while paused, once they have stopped.
        var stoppableRunning: Int

        enum CodingKeys: String, CodingKey {
            case paused, by, reason, at
            case stoppableRunning = "stoppable_running"
        }
    }

    private func answer(_ status: HTTPResponse.Status = .ok) -> Response {
        let pause = stop.current
        return JSONResponse.make(
            status,
            PauseAnswer(
                paused: pause != nil,
                by: pause?.by,
                reason: pause?.reason,
                at: pause.map { ISO8601DateFormatter().string(from: $0.at) },
                stoppableRunning: stop.stoppableRunning
            )
        )
    }

    private func show(_ request: Request) async throws -> Response {
        if let refusal = authenticator.refusal(for: request) { return refusal }
        try await stop.refresh()
        return answer()
    }

    private func pause(_ request: Request) async throws -> Response {
        if let refusal = authenticator.refusal(for: request) { return refusal }
        var request = request
        let body = try await request.collectBody(ifWithin: 64 << 10)
        let given = body.flatMap { try? JSONDecoder().decode(PauseRequest.self, from: Data($0.readableBytesView)) }
        guard let reason = given?.reason?.trimmingCharacters(in: .whitespacesAndNewlines), !reason.isEmpty else {
            return JSONResponse.error(
                .badRequest,
                code: "reason_required",
                message: "say why Gaffer is paused: send {\"reason\": \"...\", \"by\": \"your name\"} as JSON"
            )
        }
        let by = given?.by?.trimmingCharacters(in: .whitespacesAndNewlines)
        try await stop.pause(by: by.flatMap { $0.isEmpty ? nil : $0 } ?? "the operator", reason: reason, at: clock.now())
        metrics.setPaused(true)
        return answer()
    }

    private func resume(_ request: Request) async throws -> Response {
        if let refusal = authenticator.refusal(for: request) { return refusal }
        try await stop.resume()
        metrics.setPaused(false)
        return answer()
    }
}
