import Foundation
import GafferCore
import GafferGitHub
import GafferStore
import HTTPTypes
import Hummingbird
import Logging

/// `POST /webhooks/github`: verify, record, enqueue, answer. Nothing else
/// happens here; a worker does the rest.
///
/// The delivery and its job are committed in one transaction before the 2xx
/// is sent, so nothing acknowledged is ever lost, and a delivery id seen
/// before changes nothing (GitHub redelivers with the same id).
struct WebhookIngress: Sendable {
    /// GitHub caps payloads at 25 MB.
    static let maxBodyBytes = 25 << 20
    static let maxDeliveryIDLength = 128

    let verifier: WebhookVerifier
    let deliveries: any DeliveryStore
    let router: EventRouter
    let metrics: GafferMetrics
    let clock: any WallClock
    let jobMaxAttempts: Int
    let unverified: UnverifiedBodyBudget
    let logger: Logger

    private func answer(_ status: HTTPResponse.Status, _ state: String, deliveryID: String, jobID: JobID? = nil, message: String? = nil) -> Response {
        var body = JSONText()
        body.field("status", state)
        body.field("delivery_id", deliveryID)
        body.field("job_id", jobID)
        body.field("message", message)
        return JSONResponse.make(status, bytes: body.finished)
    }

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        guard let mediaType = request.mediaType, ["application/json", "application/x-www-form-urlencoded"].contains(mediaType) else {
            return reject(
                .unsupportedMediaType,
                "unsupported_media_type",
                "Content-Type must be application/json or application/x-www-form-urlencoded, got \(request.headers[.contentType] ?? "none")"
            )
        }
        guard let event = request.headers[.gitHubEvent], !event.isEmpty, event.utf8.count <= 64 else {
            return reject(.badRequest, "missing_event", "the X-GitHub-Event header is missing")
        }
        guard let deliveryID = request.headers[.gitHubDelivery], !deliveryID.isEmpty, deliveryID.utf8.count <= Self.maxDeliveryIDLength else {
            return reject(
                .badRequest,
                "missing_delivery",
                "the X-GitHub-Delivery header is missing or longer than \(Self.maxDeliveryIDLength) characters"
            )
        }
        let tooLarge = "the body is over GitHub's 25 MB limit for webhook payloads"
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > Self.maxBodyBytes {
            return reject(.contentTooLarge, "too_large", tooLarge)
        }
        let body: ByteBuffer
        let collected = try await collectUnverified(request.body)
        metrics.setUnverifiedBytes(unverified.bytesHeld)
        switch collected {
        case .body(let collected): body = collected
        case .tooLarge: return reject(.contentTooLarge, "too_large", tooLarge)
        case .busy:
            var response = reject(.serviceUnavailable, "busy", "too many webhook bodies are being received at once; try again shortly")
            response.headers[.retryAfter] = "5"
            return response
        }
        let signature = request.headers[.hubSignature256], legacySignature = request.headers[.hubSignature]
        do {
            defer {
                unverified.release(body.readableBytes)
                metrics.setUnverifiedBytes(unverified.bytesHeld)
            }
            try body.withUnsafeReadableBytes { bytes throws(WebhookVerifier.Failure) in
                try verifier.verify(body: bytes, header: signature, sha1Header: legacySignature)
            }
        } catch {
            logger.notice("webhook signature refused", metadata: ["delivery": "\(deliveryID)", "reason": "\(error)"])
            return reject(.unauthorized, "bad_signature", error.description)
        }

        let json: Data
        let action: String?
        do {
            json =
                mediaType == "application/json"
                ? Data(buffer: body, byteTransferStrategy: .noCopy)
                : Data(try WebhookPayload.jsonFromForm(body.readableBytesView))
            action = try WebhookPayload.action(in: json)
        } catch {
            return reject(.badRequest, "bad_payload", error.description)
        }

        let handled = router.handles(event: event, action: action)
        let delivery = Delivery(id: deliveryID, event: event, action: action, receivedAt: clock.now(), body: json)
        let outcome = try await deliveries.record(
            delivery,
            job: handled ? DeliveryJob.newJob(deliveryID: deliveryID, maxAttempts: jobMaxAttempts) : nil
        )
        switch outcome {
        case .queued(let jobID):
            metrics.delivery(.queued)
            return answer(.accepted, "queued", deliveryID: deliveryID, jobID: jobID)
        case .recorded:
            metrics.delivery(.recorded)
            let what = action.map { "\(event).\($0)" } ?? event
            return answer(.ok, "recorded", deliveryID: deliveryID, message: "Gaffer does not act on \(what); recorded only")
        case .duplicate:
            metrics.delivery(.duplicate)
            return answer(.ok, "duplicate", deliveryID: deliveryID, message: "this delivery was received before; nothing changed")
        }
    }

    enum Collected {
        case body(ByteBuffer)
        case tooLarge
        case busy
    }

    /// Reads the body, holding its bytes in the unverified budget as they arrive; a body that is
    /// returned still holds them (the caller releases them once the signature is checked).
    private func collectUnverified(_ stream: RequestBody) async throws -> Collected {
        var body = ByteBuffer()
        do {
            for try await chunk in stream {
                guard body.readableBytes + chunk.readableBytes <= Self.maxBodyBytes else {
                    unverified.release(body.readableBytes)
                    return .tooLarge
                }
                guard unverified.reserve(chunk.readableBytes) else {
                    unverified.release(body.readableBytes)
                    return .busy
                }
                metrics.setUnverifiedBytes(unverified.bytesHeld)
                var chunk = chunk
                body.writeBuffer(&chunk)
            }
        } catch {
            unverified.release(body.readableBytes)
            metrics.setUnverifiedBytes(unverified.bytesHeld)
            throw error
        }
        return .body(body)
    }

    private func reject(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        metrics.rejection(reason: code)
        return JSONResponse.error(status, code: code, message: message)
    }
}

extension HTTPField.Name {
    // Constant, valid header names: the initializer fails only for
    // characters a header name may not have, so these cannot fail.
    static let gitHubEvent = Self("X-GitHub-Event")!
    static let gitHubDelivery = Self("X-GitHub-Delivery")!
    static let hubSignature256 = Self("X-Hub-Signature-256")!
    static let hubSignature = Self("X-Hub-Signature")!
}
