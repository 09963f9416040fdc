import Foundation
import GafferApp
import GafferCore
import GafferTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging

/// A Gaffer server over a store in a temporary directory, tested in-process.
struct AppFixture {
    let directory: TemporaryDirectory
    let server: GafferServer

    init(workers: Int = 2, configure: (inout GafferConfiguration) -> Void = { _ in }, extraJobHandlers: [any JobHandler] = []) async throws {
        directory = try TemporaryDirectory("gaffer-app")
        var configuration = TestConfiguration.make(directory: directory.url, workers: workers)
        configure(&configuration)
        var logger = Logger(label: "gaffer-test")
        logger.logLevel = .warning
        server = try await GafferServer(configuration: configuration, logger: logger, extraJobHandlers: extraJobHandlers)
    }

    /// Runs `body` against the application (workers included), then cleans up.
    func test<Value: Sendable>(_ mode: TestingSetup = .router, _ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value
    {
        defer {
            server.store.shutdown()
            directory.remove()
        }
        return try await server.makeApplication().test(mode, body)
    }
}

extension TestClientProtocol {
    func deliver(_ delivery: SignedDelivery, contentType: String? = nil) async throws -> TestResponse {
        var headers = HTTPFields()
        for (name, value) in delivery.headers {
            guard let field = HTTPField.Name(name) else { continue }
            headers[field] = name == "Content-Type" ? (contentType ?? value) : value
        }
        return try await execute(uri: "/webhooks/github", method: .post, headers: headers, body: ByteBuffer(bytes: delivery.body))
    }

    func api(
        _ method: HTTPRequest.Method,
        _ uri: String,
        json: String? = nil,
        token: String? = TestConfiguration.apiToken.revealed
    ) async throws -> TestResponse {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:]
    }

    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String { (json["error"] as? [String: Any])?["message"] as? String ?? "" }
}
