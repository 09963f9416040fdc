import Crypto
import Foundation
import GafferCore
import HTTPTypes
import Hummingbird
import ServiceLifecycle

/// The live dashboards' one source of news: a single poll of the store's `dashboardVersion` (however many
/// pages are open, and whichever process changed the store) fanned out to every open `/dashboard/events` stream.
actor DashboardEvents {
    private let data: any DashboardReading
    private let interval: Duration
    private let heartbeat: Duration
    private var subscribers: [UUID: AsyncStream<ByteBuffer>.Continuation] = [:]
    private var poller: Task<Void, Never>?
    private var last: String?
    private var closed = false

    init(data: any DashboardReading, interval: Duration = .milliseconds(500), heartbeat: Duration = .seconds(15)) {
        self.data = data
        self.interval = interval
        self.heartbeat = heartbeat
    }

    var subscriberCount: Int { subscribers.count }

    /// The bytes of one `/dashboard/events` stream: `changed` with the new version whenever something shown
    /// changed, and a comment line as a heartbeat. It ends when the browser goes away or Gaffer shuts down.
    func subscribe() -> AsyncStream<ByteBuffer> {
        let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(8))
        continuation.yield(ByteBuffer(string: "retry: 3000\n: connected\n\n"))
        guard !closed else {
            continuation.finish()
            return stream
        }
        let id = UUID()
        subscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        if poller == nil { poller = Task { await self.poll() } }
        return stream
    }

    private func unsubscribe(_ id: UUID) {
        subscribers.removeValue(forKey: id)
        if subscribers.isEmpty {
            poller?.cancel()
            poller = nil
            last = nil
        }
    }

    private func send(_ text: String) {
        for subscriber in subscribers.values { subscriber.yield(ByteBuffer(string: text)) }
    }

    private func poll() async {
        // Kept by the clock, not by counting polls: a slow store must not make the heartbeats late.
        var lastSent = ContinuousClock.now
        while !Task.isCancelled {
            if let version = try? await data.dashboardVersion() {
                let digest = SHA256.hash(data: Data(version.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
                if let last, last != digest {
                    send("event: changed\ndata: {\"version\":\"\(digest)\"}\n\n")
                    lastSent = .now
                }
                last = digest
            }
            if ContinuousClock.now - lastSent >= heartbeat {
                send(": keep-alive\n\n")
                lastSent = .now
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Ends every stream, so the HTTP server's graceful shutdown is not held open by a browser tab.
    private func close() {
        closed = true
        for subscriber in subscribers.values { subscriber.finish() }
    }

    func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-store"
        // Proxies (nginx) must pass each event on at once.
        if let accel = HTTPField.Name("X-Accel-Buffering") { headers[accel] = "no" }
        return Response(status: .ok, headers: headers, body: ResponseBody(asyncSequence: subscribe()))
    }
}

extension DashboardEvents: Service {
    func run() async throws {
        try? await gracefulShutdown()
        close()
    }
}
