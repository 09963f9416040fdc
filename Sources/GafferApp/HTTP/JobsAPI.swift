import Foundation
import GafferCore
import GafferStore
import Hummingbird

/// The jobs API: `POST /jobs`, `GET /jobs/{id}`, `GET /jobs`,
/// `POST /jobs/{id}/cancel`, each behind the configured bearer token.
struct JobsAPI: Sendable {
    /// Every change through the API commits with its audit entry.
    let queue: any AuditedJobQueue
    let registry: JobRegistry
    let authenticator: BearerAuthenticator
    let maxPayloadBytes: Int
    let maxAttempts: Int
    let clock: any WallClock

    func register(on router: Router<some RequestContext>) {
        router.post("/jobs") { request, context in try await self.create(request, context: context) }
        router.get("/jobs") { request, _ in try await self.list(request) }
        router.get("/jobs/{id}") { request, context in try await self.show(request, context: context) }
        router.post("/jobs/{id}/cancel") { request, context in try await self.cancel(request, context: context) }
    }

    private struct CreateRequest: Decodable {
        var jobType: String?
        var payload: JSONValue?

        enum CodingKeys: String, CodingKey {
            case jobType = "job_type"
            case payload
        }
    }

    private func create(_ request: Request, context: some RequestContext) async throws -> Response {
        if let refusal = authenticator.refusal(for: request) { return refusal }
        var request = request
        guard request.mediaType == "application/json" else {
            return JSONResponse.error(
                .unsupportedMediaType,
                code: "unsupported_media_type",
                message: "send the job as JSON with Content-Type: application/json"
            )
        }
        // Room for the envelope around the largest payload allowed.
        guard let body = try await request.collectBody(ifWithin: maxPayloadBytes + 4096) else {
            return tooLarge()
        }
        let decoded: CreateRequest
        do {
            decoded = try JSONDecoder().decode(CreateRequest.self, from: body)
        } catch {
            return JSONResponse.error(
                .badRequest,
                code: "malformed_json",
                message: "the body is not a JSON object of the form {\"job_type\": \"echo\", \"payload\": {...}}"
            )
        }
        let known = registry.submittableTypes.joined(separator: ", ")
        guard let type = decoded.jobType, !type.isEmpty else {
            return JSONResponse.error(.badRequest, code: "missing_job_type", message: "job_type is required; known types: \(known)")
        }
        guard let handler = registry[type], handler.isSubmittable else {
            return JSONResponse.error(.badRequest, code: "unknown_job_type", message: "unknown job_type '\(type)'; known types: \(known)")
        }
        let payload = decoded.payload ?? .object([:])
        let bytes = try payload.encoded()
        guard bytes.count <= maxPayloadBytes else { return tooLarge() }
        do {
            try handler.validate(payload: payload)
        } catch {
            return JSONResponse.error(.unprocessableContent, code: "invalid_payload", message: error.description)
        }
        let now = clock.now()
        let job = try await queue.enqueue(NewJob(type: type, payload: bytes, maxAttempts: maxAttempts)) { id in
            AuditEntry(at: now, actor: "api", action: "job.create", subject: "job:\(id)", detail: type)
        }
        return JSONResponse.make(.created, Created(jobID: job.id, status: job.state.apiName), headers: [.location: "/jobs/\(job.id)"])
    }

    private struct Created: Encodable {
        var jobID: JobID
        var status: String

        enum CodingKeys: String, CodingKey {
            case jobID = "job_id"
            case status
        }
    }

    private func tooLarge() -> Response {
        JSONResponse.error(
            .contentTooLarge,
            code: "payload_too_large",
            message: "the payload is over the limit of \(maxPayloadBytes) bytes (job_max_payload_bytes)"
        )
    }

    private func show(_ request: Request, context: some RequestContext) async throws -> Response {
        if let refusal = authenticator.refusal(for: request) { return refusal }
        guard let id = context.parameters.get("id").flatMap(JobID.init) else { return badID(context) }
        guard let job = try await queue.job(id: id) else { return notFound(id) }
        var view = JobView(job)
        view.events = try await queue.events(jobID: id).map(JobView.Event.init)
        return JSONResponse.make(.ok, view)
    }

    private func list(_ request: Request) async throws -> Response {
        if let refusal = authenticator.refusal(for: request) { return refusal }
        let query = request.uri.queryParameters
        var state: JobState?
        if let status = query["status"].map(String.init), !status.isEmpty {
            guard let parsed = JobState(apiName: status) else {
                return JSONResponse.error(
                    .badRequest,
                    code: "bad_status",
                    message: "unknown status '\(status)'; use one of \(JobState.allCases.map(\.apiName).joined(separator: ", "))"
                )
            }
            state = parsed
        }
        var limit = 50
        if let text = query["limit"].map(String.init) {
            guard let parsed = Int(text), (1...1000).contains(parsed) else {
                return JSONResponse.error(.badRequest, code: "bad_limit", message: "limit must be a whole number from 1 to 1000, got '\(text)'")
            }
            limit = parsed
        }
        let jobs = try await queue.jobs(state: state, limit: limit)
        return JSONResponse.make(.ok, ["jobs": jobs.map(JobView.init)])
    }

    private func cancel(_ request: Request, context: some RequestContext) async throws -> Response {
        if let refusal = authenticator.refusal(for: request) { return refusal }
        guard let id = context.parameters.get("id").flatMap(JobID.init) else { return badID(context) }
        guard let existing = try await queue.job(id: id) else { return notFound(id) }
        if existing.state.isFinal {
            return JSONResponse.error(
                .conflict,
                code: "already_finished",
                message: "job \(id) is already \(existing.state.apiName) and cannot be cancelled"
            )
        }
        let entry = AuditEntry(at: clock.now(), actor: "api", action: "job.cancel", subject: "job:\(id)")
        guard let job = try await queue.cancel(id: id, reason: "cancelled through the jobs API", audited: entry) else { return notFound(id) }
        return JSONResponse.make(.ok, JobView(job))
    }

    private func badID(_ context: some RequestContext) -> Response {
        JSONResponse.error(.badRequest, code: "bad_job_id", message: "a job id is a whole number, got '\(context.parameters.get("id") ?? "")'")
    }

    private func notFound(_ id: JobID) -> Response {
        JSONResponse.error(.notFound, code: "no_such_job", message: "there is no job \(id)")
    }
}

/// A job as the API shows it.
struct JobView: Encodable {
    var jobID: JobID
    var jobType: String
    var status: String
    var attempts: Int
    var maxAttempts: Int
    var createdAt: String
    var startedAt: String?
    var finishedAt: String?
    var runAfter: String
    var deliveryID: String?
    var result: JSONValue?
    var error: String?
    var events: [Event]?

    struct Event: Encodable {
        var at: String
        var from: String?
        var to: String
        var reason: String
        var worker: String?

        init(_ event: JobEvent) {
            at = timestamp(event.at)
            from = event.from?.apiName
            to = event.to.apiName
            reason = event.reason
            worker = event.worker
        }
    }

    init(_ job: Job) {
        jobID = job.id
        jobType = job.type
        status = job.state.apiName
        attempts = job.attempts
        maxAttempts = job.maxAttempts
        createdAt = timestamp(job.createdAt)
        startedAt = job.startedAt.map(timestamp)
        finishedAt = job.finishedAt.map(timestamp)
        runAfter = timestamp(job.runAfter)
        deliveryID = job.deliveryID
        result = job.result.flatMap { try? JSONValue.decode($0) }
        error = job.error
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case jobType = "job_type"
        case status, attempts
        case maxAttempts = "max_attempts"
        case createdAt = "created_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case runAfter = "run_after"
        case deliveryID = "delivery_id"
        case result, error, events
    }
}

private func timestamp(_ date: Date) -> String {
    date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
}
