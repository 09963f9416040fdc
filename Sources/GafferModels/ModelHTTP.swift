import AsyncHTTPClient
import Foundation
import GafferCore
import NIOCore
import NIOHTTP1

/// Posts a request to a provider and reads its event stream: retries what the provider asks to be retried,
/// honouring `retry-after`, and turns every failure into a `ModelError` that names no key.
struct ModelHTTP: Sendable {
    let provider: String
    let endpoint: ModelEndpoint
    let client: HTTPClient
    let waiter: any RetryWaiter
    let backoff = RetryPolicy(baseDelay: .seconds(1), maxDelay: .seconds(30))
    /// What the streamed body is: server-sent events, or AWS's event stream.
    var accept = "text/event-stream"
    /// What to check when the provider refuses the credentials.
    var credentialsHint: String
    /// Headers that authenticate one attempt (a signature, fresh each try); nil when a fixed key header does.
    var sign: (@Sendable (_ url: String, _ headers: [(String, String)], _ body: Data) async throws -> [(String, String)])?

    init(provider: String, endpoint: ModelEndpoint, client: HTTPClient, waiter: any RetryWaiter) {
        self.provider = provider
        self.endpoint = endpoint
        self.client = client
        self.waiter = waiter
        credentialsHint = "check \(provider)_api_key"
    }

    /// Streams what `decoder` makes of each server-sent event, and what it has once the body ends.
    func stream(
        path: String,
        headers: [(String, String)],
        body: Data,
        framing: some ModelStreamFraming = ServerSentEventParser(),
        decoder: some ModelStreamDecoder
    ) -> AsyncThrowingStream<ModelStreamEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ModelStreamEvent.self)
        let timedOut = ModelError(provider: provider, kind: .timedOut, message: "no whole answer within \(endpoint.timeout) (model_timeout_seconds)")
        let task = Task {
            var decoder = decoder
            var framing = framing
            do {
                let (seconds, attoseconds) = endpoint.timeout.components
                let deadline = NIODeadline.now() + .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
                let response = try await send(path: path, headers: headers, body: body, deadline: deadline)
                do {
                    for try await chunk in response.body {
                        for event in try framing.split(chunk.readableBytesView) {
                            for decoded in try decoder.read(event) { continuation.yield(decoded) }
                        }
                    }
                } catch let error as HTTPClientError where error == .deadlineExceeded {
                    throw ModelError(
                        provider: provider,
                        kind: .timedOut,
                        message: "the answer did not finish within \(endpoint.timeout) (model_timeout_seconds)"
                    )
                }
                try framing.end()
                for event in try decoder.finish() { continuation.yield(event) }
                continuation.finish()
            } catch let error as ModelError {
                continuation.finish(throwing: error)
            } catch is CancellationError {
                continuation.finish(throwing: CancellationError())
            } catch {
                continuation.finish(throwing: ModelError(provider: provider, kind: .malformed, message: "the answer could not be read: \(error)"))
            }
        }
        // AsyncHTTPClient's deadline runs on its event loop; seen under load to fire ten seconds late. This one, on
        // Swift's own clock, ends the call on time whatever the event loop is doing: the answer is the time-out.
        let timeout = endpoint.timeout
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            continuation.finish(throwing: timedOut)
            task.cancel()
        }
        continuation.onTermination = { _ in
            task.cancel()
            watchdog.cancel()
        }
        return stream
    }

    /// The response whose status is 2xx, after the retries the provider asked for.
    private func send(path: String, headers: [(String, String)], body: Data, deadline: NIODeadline) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: endpoint.baseURL + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "accept", value: accept)
        request.headers.add(name: "user-agent", value: "gaffer/\(GafferVersion.current)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        var attempt = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            let failure: ModelError
            var wait: Duration?
            do {
                var signed = request
                if let sign {
                    let unsigned = request.headers.map { ($0.name, $0.value) }
                    for (name, value) in try await sign(request.url, unsigned, body) { signed.headers.add(name: name, value: value) }
                }
                let response = try await client.execute(signed, deadline: deadline)
                if (200..<300).contains(response.status.code) { return response }
                let text = try await readError(response)
                failure = classify(status: Int(response.status.code), message: text)
                if failure.kind == .unavailable {
                    wait = Self.retryAfter(response.headers) ?? backoff.delay(afterAttempt: attempt)
                }
            } catch let error as HTTPClientError where error == .deadlineExceeded {
                throw ModelError(provider: provider, kind: .timedOut, message: "no answer within \(endpoint.timeout) (model_timeout_seconds)")
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as ModelError {
                throw error
            } catch {
                failure = ModelError(provider: provider, kind: .unavailable, message: "cannot reach \(endpoint.baseURL): \(error)")
                wait = backoff.delay(afterAttempt: attempt)
            }
            // The call's time is the whole of it, retries and their waits included.
            let timedOut = ModelError(
                provider: provider,
                kind: .timedOut,
                message: "no answer within \(endpoint.timeout) (model_timeout_seconds): \(failure.message)"
            )
            guard NIODeadline.now() < deadline else { throw timedOut }
            guard let wait, attempt < endpoint.maxAttempts else {
                throw attempt > 1 && failure.kind == .unavailable
                    ? ModelError(
                        provider: provider,
                        kind: failure.kind,
                        message: "\(failure.message) (after \(attempt) tries; model_max_attempts)",
                        status: failure.status
                    )
                    : failure
            }
            guard wait <= endpoint.maxRetryWait else {
                throw ModelError(
                    provider: provider,
                    kind: .unavailable,
                    message: "\(failure.message); the provider asked to wait \(wait), longer than Gaffer waits (\(endpoint.maxRetryWait))",
                    status: failure.status
                )
            }
            guard NIODeadline.now() + .nanoseconds(Int64(wait.components.seconds) * 1_000_000_000) < deadline else { throw timedOut }
            try await waiter.wait(wait)
        }
    }

    /// The provider's own words from an error body (`{"error": {"message": …}}` for both Anthropic and OpenAI).
    private func readError(_ response: HTTPClientResponse) async throws -> String {
        let body = try await response.body.collect(upTo: 64 << 10)
        let data = Data(body.readableBytesView)
        if let json = try? JSONValue.decode(data), case .string(let message)? = json["error"]?["message"] ?? json["message"] {
            return message
        }
        return String(decoding: data.prefix(500), as: UTF8.self)
    }

    private func classify(status: Int, message: String) -> ModelError {
        let said = message.isEmpty ? "" : ": \(message)"
        switch status {
        case 401, 403:
            return ModelError(
                provider: provider,
                kind: .unauthorized,
                message: "the provider refused the key (\(status))\(said); \(credentialsHint)",
                status: status
            )
        case 408, 409, 429, 500..<600:
            let why = status == 429 ? "rate limited" : status == 529 ? "overloaded" : "unavailable"
            return ModelError(provider: provider, kind: .unavailable, message: "the provider is \(why) (\(status))\(said)", status: status)
        default:
            return ModelError(provider: provider, kind: .rejected, message: "the provider refused the request (\(status))\(said)", status: status)
        }
    }

    /// `retry-after-ms`, or `retry-after` in seconds or as an HTTP date.
    static func retryAfter(_ headers: HTTPHeaders, now: Date = Date()) -> Duration? {
        if let ms = headers.first(name: "retry-after-ms").flatMap(Double.init), ms >= 0 { return .milliseconds(Int64(ms)) }
        guard let value = headers.first(name: "retry-after") else { return nil }
        if let seconds = Double(value), seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        if let date = HTTPDate.parse(value) { return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000)) }
        return nil
    }
}

/// Splits a streamed body into events as its bytes arrive.
protocol ModelStreamFraming: Sendable {
    mutating func split(_ bytes: ByteBufferView) throws -> [ServerSentEvent]
    /// Called once the body has ended: throws when it ended inside an event.
    func end() throws
}

extension ServerSentEventParser: ModelStreamFraming {
    mutating func split(_ bytes: ByteBufferView) throws -> [ServerSentEvent] { try feed(bytes) }
    // An unfinished server-sent event is dropped, as the format says; the decoder notices what is missing.
    func end() {}
}

/// Turns one provider's server-sent events into Gaffer's, gathering the whole answer as it goes.
protocol ModelStreamDecoder: Sendable {
    mutating func read(_ event: ServerSentEvent) throws -> [ModelStreamEvent]
    /// The events once the body has ended (`.done`), or why the stream was incomplete.
    mutating func finish() throws -> [ModelStreamEvent]
}
