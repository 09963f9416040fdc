import AsyncHTTPClient
import Foundation
import GafferHTTP
import NIOCore
import NIOHTTP1

/// One HTTP exchange with GitHub, as the client sees it.
public struct GitHubHTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [(String, String)]
    public var body: Data?
}

public struct GitHubHTTPResponse: Sendable {
    public var status: Int
    /// Header names lowercased.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Sends a request and returns the whole answer. The seam between the client's
/// discipline (auth, retries, pacing) and the network.
public protocol GitHubTransport: Sendable {
    func send(_ request: GitHubHTTPRequest, timeout: Duration) async throws -> GitHubHTTPResponse
}

/// The transport over AsyncHTTPClient.
public struct AsyncHTTPClientTransport: GitHubTransport {
    let client: HTTPClient
    /// The largest answer read; GitHub's are far smaller.
    let maximumResponseBytes: Int

    public init(client: HTTPClient = OutboundHTTPClient.shared, maximumResponseBytes: Int = 32 << 20) {
        self.client = client
        self.maximumResponseBytes = maximumResponseBytes
    }

    public func send(_ request: GitHubHTTPRequest, timeout: Duration) async throws -> GitHubHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let seconds = Int64(timeout.components.seconds) + (timeout.components.attoseconds > 0 ? 1 : 0)
        let response = try await client.execute(outgoing, timeout: .seconds(seconds))
        let body = try await response.body.collect(upTo: maximumResponseBytes)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return GitHubHTTPResponse(status: Int(response.status.code), headers: headers, body: Data(body.readableBytesView))
    }
}
