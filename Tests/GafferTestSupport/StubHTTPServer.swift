import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A request as a stub server saw it.
public struct StubRequest: Sendable {
    public let method: String
    /// Path and query as sent.
    public let target: String
    /// Header names lower-cased.
    public let headers: [String: String]
    public let body: Data
}

public struct StubResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int = 200, headers: [String: String] = [:], body: String = "") {
        self.status = status
        self.headers = headers
        self.body = Data(body.utf8)
    }
}

/// An HTTP server on 127.0.0.1 and a free port that answers every request with a closure:
/// the stand-in for ECS's and EC2's credential endpoints and for an AWS endpoint that fails on purpose.
public final class StubHTTPServer: Sendable {
    public let port: Int
    private let running: RunningService

    public var url: String { "http://127.0.0.1:\(port)" }

    public static func start(_ handler: @escaping @Sendable (StubRequest) async -> StubResponse) async throws -> StubHTTPServer {
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let body = try await request.body.collect(upTo: 16 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let answer = await handler(
                StubRequest(
                    method: request.method.rawValue,
                    target: request.uri.description,
                    headers: headers,
                    body: Data(body.readableBytesView)
                )
            )
            var fields = HTTPFields()
            for (name, value) in answer.headers { if let field = HTTPField.Name(name) { fields[field] = value } }
            return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "stub"),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "stub")
        )
        let running = RunningService(application)
        var found = 0
        for await port in ports {
            found = port
            break
        }
        guard found > 0 else {
            await running.stopAndWait()
            throw CommandFailed(command: "stub server", output: "did not start")
        }
        return StubHTTPServer(port: found, running: running)
    }

    private init(port: Int, running: RunningService) {
        self.port = port
        self.running = running
    }

    public func stop() async {
        await running.stopAndWait()
    }
}
