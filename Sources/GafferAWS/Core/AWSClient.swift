import Crypto
import Foundation
import GafferCore
import Synchronization

/// One request to an AWS service before it is signed: the path and query as the service
/// defines them (the client encodes them), headers and body.
public struct AWSRequest: Sendable {
    public var operation: String
    public var method: String
    /// The path after the endpoint's (and, for S3 path-style, the bucket's), already percent-encoded.
    public var path: String
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]
    public var body: Data
    /// S3: the bucket, which goes in the host name at AWS and in the path elsewhere.
    public var bucket: String?
    /// Sent without a signature (STS AssumeRoleWithWebIdentity needs none).
    public var unsigned = false

    public init(
        operation: String,
        method: String,
        path: String = "/",
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [],
        body: Data = Data(),
        bucket: String? = nil
    ) {
        self.operation = operation
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.bucket = bucket
    }
}

/// Sends requests to AWS: finds the endpoint, signs with the current credentials,
/// retries throttling and 5xx with full-jitter backoff, corrects for a skewed clock,
/// and turns error answers into `AWSServiceError`.
public final class AWSClient: Sendable {
    public let settings: ResolvedAWSSettings
    public let credentials: any AWSCredentialProvider
    let transport: any AWSTransport
    let clock: any WallClock
    let waiter: any RetryWaiter
    /// `readOnly`: every write is refused before it is signed.
    public let access: AWSAccess
    /// Seconds to add to the local clock, learned from a server that refused our time.
    private let skew = Mutex<TimeInterval>(0)
    /// Signing keys kept across requests: deriving one is four HMACs.
    private let signingKeys = SigningKeys()

    public init(
        settings: ResolvedAWSSettings,
        credentials: any AWSCredentialProvider,
        transport: any AWSTransport = AsyncHTTPClientAWSTransport(),
        clock: any WallClock = SystemWallClock(),
        waiter: any RetryWaiter = TaskSleepWaiter(),
        access: AWSAccess = .readWrite
    ) {
        self.settings = settings
        self.credentials = credentials
        self.transport = transport
        self.clock = clock
        self.waiter = waiter
        self.access = access
    }

    /// The client Gaffer uses: settings resolved against the environment and shared files,
    /// credentials from the standard chain.
    public static func standard(
        _ settings: AWSSettings,
        environment: AWSEnvironment = .current(),
        transport: any AWSTransport = AsyncHTTPClientAWSTransport(),
        clock: any WallClock = SystemWallClock(),
        waiter: any RetryWaiter = TaskSleepWaiter()
    ) throws(AWSClientError) -> AWSClient {
        let resolved = try ResolvedAWSSettings.resolve(settings, environment: environment)
        let chain = CredentialChain(settings: resolved, transport: transport, clock: clock, waiter: waiter)
        return AWSClient(settings: resolved, credentials: try chain.provider(), transport: transport, clock: clock, waiter: waiter)
    }

    /// The same settings with other credentials (an assumed role).
    public func with(credentials: any AWSCredentialProvider) -> AWSClient {
        AWSClient(settings: settings, credentials: credentials, transport: transport, clock: clock, waiter: waiter, access: access)
    }

    /// The same client, allowed only to read.
    public func readOnly() -> AWSClient {
        AWSClient(settings: settings, credentials: credentials, transport: transport, clock: clock, waiter: waiter, access: .readOnly)
    }

    public var region: String { settings.region }

    /// The clock skew learned so far, in seconds: added to the local clock when signing.
    public var clockSkew: TimeInterval { skew.withLock { $0 } }

    public func endpoint(for service: AWSService, region: String) -> AWSEndpoint {
        settings.endpoints[service.configKey] ?? .default(for: service, region: region)
    }

    /// Sends a request and returns a 2xx answer, or throws the service's error after the retries.
    public func send(_ request: AWSRequest, to service: AWSService, region: String? = nil) async throws -> AWSHTTPResponse {
        if access == .readOnly, let refusal = AWSAccess.refusal(request, to: service) { throw AWSClientError(refusal) }
        let region = region ?? settings.region
        let endpoint = endpoint(for: service, region: region)
        var host = endpoint.hostHeader
        var path = endpoint.basePath
        if let bucket = request.bucket {
            // Virtual-hosted at AWS (path style is gone for new buckets); path style for local endpoints and dotted names.
            if endpoint.isDefault && !bucket.contains(".") { host = bucket + "." + host } else { path += "/" + SigV4Signer.encode(bucket) }
        }
        path += request.path == "/" && !path.isEmpty ? "" : request.path
        if path.isEmpty { path = "/" }
        let query = request.query.map { SigV4Signer.encode($0.name) + "=" + SigV4Signer.encode($0.value) }.joined(separator: "&")
        let url = "\(endpoint.scheme)://\(host)\(path)\(query.isEmpty ? "" : "?" + query)"
        let label = "\(service.id) \(request.operation)"
        let policy = RetryPolicy(baseDelay: settings.settings.retryBase, maxDelay: settings.settings.retryCap)
        var attempt = 0
        var correctedSkew = false
        while true {
            attempt += 1
            var headers = [("Host", host)] + request.headers
            let signedAt = clock.now().addingTimeInterval(clockSkew)
            if !request.unsigned {
                let resolved: ResolvedCredentials
                do {
                    resolved = try await credentials.resolve()
                } catch {
                    throw AWSClientError("\(label): no usable AWS credentials: \(error)")
                }
                var signer = SigV4Signer(
                    credentials: resolved.credentials,
                    region: service.signingRegion(region),
                    service: service.signingName,
                    keys: signingKeys
                )
                var payloadHash: String?
                if service == .s3 && endpoint.scheme == "https" && !request.body.isEmpty {
                    // Over TLS the payload needs no hash of its own; S3 accepts UNSIGNED-PAYLOAD and large uploads skip a pass over the body.
                    payloadHash = SigV4Signer.unsignedPayload
                    signer.signBody = true
                }
                let parts = HTTPRequestParts(method: request.method, path: path, query: query, headers: headers, body: request.body)
                headers += signer.sign(parts, at: signedAt, payloadHash: payloadHash).additions
            }
            let response: AWSHTTPResponse
            do {
                response = try await transport.send(
                    AWSHTTPRequest(method: request.method, url: url, headers: headers, body: request.body),
                    timeout: settings.settings.timeout
                )
            } catch {
                guard attempt < settings.settings.maxAttempts else {
                    throw AWSClientError(
                        "\(label): could not reach \(endpoint.scheme)://\(host) after \(attempt) attempt\(attempt == 1 ? "" : "s"): \(error)"
                    )
                }
                try await backOff(policy, attempt: attempt)
                continue
            }
            if (200..<300).contains(response.status) { return response }
            var failure = AWSServiceError.parse(response)
            failure.operation = label
            if !correctedSkew, AWSServiceError.clockSkewCodes.contains(failure.code),
                let serverDate = response.headers["date"].flatMap { HTTPDate.parse($0) }, abs(serverDate.timeIntervalSince(signedAt)) > 240
            {
                // The SDKs' rule: a refusal for time plus a server clock more than 4 minutes away means our clock is off; sign with theirs.
                correctedSkew = true
                skew.withLock { $0 = serverDate.timeIntervalSince(clock.now()) }
                attempt -= 1
                continue
            }
            let attempts =
                failure.isThrottling ? max(settings.settings.maxAttempts, settings.settings.throttledMaxAttempts) : settings.settings.maxAttempts
            guard failure.isRetryable, attempt < attempts else { throw failure }
            try await backOff(policy, attempt: attempt)
        }
    }

    /// Full jitter: a wait drawn from zero up to base × 2^(attempt-1), capped.
    private func backOff(_ policy: RetryPolicy, attempt: Int) async throws {
        try await waiter.wait(policy.ceiling(afterAttempt: attempt) * Double.random(in: 0...1))
    }
}
