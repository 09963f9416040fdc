import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension StubRequest {
    /// The same request sent on to `endpoint` (a real server), and its answer: a stub that answers
    /// only what the real server lacks and passes the rest through. Signatures are not kept valid,
    /// so the server behind must not check them (unauthenticated moto).
    public func forward(to endpoint: String) async -> StubResponse {
        do {
            var outbound = HTTPClientRequest(url: endpoint + target)
            outbound.method = HTTPMethod(rawValue: method)
            for (name, value) in headers where !["host", "content-length", "connection"].contains(name) {
                outbound.headers.add(name: name, value: value)
            }
            outbound.body = .bytes(ByteBuffer(bytes: body))
            let response = try await HTTPClient.shared.execute(outbound, timeout: .seconds(60))
            let answer = try await response.body.collect(upTo: 64 << 20)
            var forwarded = StubResponse(status: Int(response.status.code))
            for header in response.headers where !["content-length", "transfer-encoding", "connection"].contains(header.name.lowercased()) {
                forwarded.headers[header.name] = header.value
            }
            forwarded.body = Data(answer.readableBytesView)
            return forwarded
        } catch {
            return StubResponse(status: 502, body: "forwarding to \(endpoint) failed: \(error)")
        }
    }
}
