import AsyncHTTPClient
import Foundation
import GafferHTTP
import NIOCore
import NIOHTTP1

/// One HTTP exchange with AWS, signed and ready to go.
public struct AWSHTTPRequest: Sendable {
    public var method: String
    /// The whole URL, its path and query already percent-encoded.
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(method: String, url: String, headers: [(name: String, value: String)], body: Data) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

public struct AWSHTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Sends a request and returns the whole answer: the seam between the client's discipline
/// (signing, retries, errors) and the network, so tests can stand in for either side.
public protocol AWSTransport: Sendable {
    func send(_ request: AWSHTTPRequest, timeout: Duration) async throws -> AWSHTTPResponse
}

/// The transport over AsyncHTTPClient.
public struct AsyncHTTPClientAWSTransport: AWSTransport {
    let client: HTTPClient
    let maximumResponseBytes: Int

    public init(client: HTTPClient = OutboundHTTPClient.shared, maximumResponseBytes: Int = 256 << 20) {
        self.client = client
        self.maximumResponseBytes = maximumResponseBytes
    }

    public func send(_ request: AWSHTTPRequest, timeout: Duration) async throws -> AWSHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if !request.body.isEmpty || ["PUT", "POST"].contains(request.method) {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        let milliseconds = Int64(timeout.components.seconds) * 1000 + Int64(timeout.components.attoseconds / 1_000_000_000_000_000)
        let response = try await client.execute(outgoing, timeout: .milliseconds(max(milliseconds, 1)))
        let body = request.method == "HEAD" ? ByteBuffer() : try await response.body.collect(upTo: maximumResponseBytes)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return AWSHTTPResponse(status: Int(response.status.code), headers: headers, body: Data(body.readableBytesView))
    }
}
