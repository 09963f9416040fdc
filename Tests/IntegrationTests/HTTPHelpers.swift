import AsyncHTTPClient
import Foundation
import GafferTestSupport
import NIOCore
import NIOHTTP1

extension HTTPClient {
    /// Posts a signed delivery; returns the status code.
    func deliver(_ delivery: SignedDelivery, port: Int, timeout: TimeAmount = .seconds(30)) async throws -> UInt {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/github")
        request.method = .POST
        for (name, value) in delivery.headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: delivery.body))
        let response = try await execute(request, timeout: timeout)
        _ = try await response.body.collect(upTo: 1 << 20)
        return response.status.code
    }

    /// Calls the jobs API; returns the status code and the JSON answer.
    func api(_ method: HTTPMethod, _ path: String, json: String? = nil, port: Int) async throws -> (UInt, [String: Any]) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(TestConfiguration.apiToken.revealed)")
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:]
        return (response.status.code, object)
    }
}

/// The environment for a `gaffer serve` child on an ephemeral port of 127.0.0.1.
func childEnvironment(dataDirectory: URL, extra: [String: String] = [:]) -> [String: String] {
    [
        "GAFFER_HOST": "127.0.0.1",
        "GAFFER_PORT": "0",
        "GAFFER_DATA_DIR": dataDirectory.path,
        "GAFFER_WEBHOOK_SECRET": TestConfiguration.webhookSecret.revealed,
        "GAFFER_API_TOKEN": TestConfiguration.apiToken.revealed,
        "GAFFER_WORKERS": "2",
        "GAFFER_WORKER_POLL_SECONDS": "0.05",
        "GAFFER_LOG_LEVEL": "notice",
    ].merging(extra) { $1 }
}
