import Foundation
import GafferAWS
import GafferCore
import GafferTestSupport
import Synchronization
import Testing

/// Endpoints, regions, retries, clock skew and error answers, against local servers that
/// fail on purpose.
@Suite struct AWSClientBehaviourTests {
    func settings(_ variables: [String: String], config: String = "", configure: (inout AWSSettings) -> Void = { _ in }) throws -> ResolvedAWSSettings
    {
        let home = try TemporaryDirectory("gaffer-endpoints")
        defer { home.remove() }
        try FileManager.default.createDirectory(at: home.url.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        try config.write(to: home.url.appendingPathComponent(".aws/config"), atomically: true, encoding: .utf8)
        var settings = AWSSettings()
        configure(&settings)
        return try ResolvedAWSSettings.resolve(settings, environment: AWSEnvironment(variables: variables, home: home.url.path))
    }

    func endpoint(_ service: AWSService, _ resolved: ResolvedAWSSettings) -> String? {
        resolved.endpoints[service.configKey].map { "\($0.scheme)://\($0.hostHeader)\($0.basePath)" }
    }

    @Test func endpointOverridesInTheSDKsOrder() throws {
        let config = """
            [default]
            endpoint_url = http://profile-all:1
            services = local

            [services local]
            s3 =
              endpoint_url = http://services-s3:2
            dynamodb =
              endpoint_url = http://services-dynamodb:3/base/
            """
        let fromFiles = try settings([:], config: config)
        #expect(endpoint(.s3, fromFiles) == "http://services-s3:2")
        #expect(endpoint(.dynamoDB, fromFiles) == "http://services-dynamodb:3/base")
        #expect(endpoint(.sts, fromFiles) == "http://profile-all:1")

        let variables = [
            "AWS_ENDPOINT_URL": "http://env-all:4", "AWS_ENDPOINT_URL_S3": "http://env-s3:5",
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://env-secrets:6", "AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API": "https://env-tagging",
        ]
        let fromEnvironment = try settings(variables, config: config)
        #expect(endpoint(.s3, fromEnvironment) == "http://env-s3:5")
        #expect(endpoint(.secretsManager, fromEnvironment) == "http://env-secrets:6")
        #expect(endpoint(.resourceGroupsTagging, fromEnvironment) == "https://env-tagging")
        #expect(endpoint(.dynamoDB, fromEnvironment) == "http://env-all:4")  // the environment's global beats the files' per-service

        let configured = try settings(variables, config: config) {
            $0.endpointURL = "http://gaffer-all:7"
            $0.endpointURLs = ["s3": "http://gaffer-s3:8"]
        }
        #expect(endpoint(.s3, configured) == "http://gaffer-s3:8")
        #expect(endpoint(.sts, configured) == "http://gaffer-all:7")

        let ignoring = try settings(variables.merging(["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"]) { $1 }, config: config)
        #expect(ignoring.endpoints.isEmpty)

        let bad = try #require(throws: AWSClientError.self) { try settings(["AWS_ENDPOINT_URL_S3": "localhost:4566"]) }
        #expect(
            bad.description
                == "AWS_ENDPOINT_URL_S3: 'localhost:4566' is not an endpoint URL; give one such as http://127.0.0.1:5000 or https://s3.eu-west-1.amazonaws.com"
        )
        let unknown = try #require(throws: AWSClientError.self) { try settings([:]) { $0.endpointURLs = ["s4": "http://x"] } }
        #expect(unknown.description.contains("'s4', which is not a service Gaffer calls"))
    }

    @Test func defaultEndpointsAndSigningRegions() {
        #expect(AWSEndpoint.default(for: .sts, region: "eu-west-1").host == "sts.eu-west-1.amazonaws.com")
        #expect(AWSEndpoint.default(for: .iam, region: "eu-west-1").host == "iam.amazonaws.com")
        #expect(AWSService.iam.signingRegion("eu-west-1") == "us-east-1")
        #expect(AWSEndpoint.default(for: .costExplorer, region: "ap-south-1").host == "ce.us-east-1.amazonaws.com")
        #expect(AWSEndpoint.default(for: .cloudWatch, region: "eu-west-1").host == "monitoring.eu-west-1.amazonaws.com")
        #expect(AWSEndpoint.default(for: .s3, region: "cn-north-1").host == "s3.cn-north-1.amazonaws.com.cn")
        #expect(AWSService.secretsManager.environmentKey == "AWS_ENDPOINT_URL_SECRETS_MANAGER")
    }

    @Test func regionsInTheSDKsOrder() throws {
        let config = "[default]\nregion = ap-southeast-2\n"
        #expect(try settings([:]).region == "us-east-1")
        #expect(try settings([:], config: config).region == "ap-southeast-2")
        #expect(try settings(["AWS_DEFAULT_REGION": "eu-north-1"], config: config).region == "eu-north-1")
        #expect(try settings(["AWS_DEFAULT_REGION": "eu-north-1", "AWS_REGION": "eu-south-1"], config: config).region == "eu-south-1")
        #expect(try settings(["AWS_REGION": "eu-south-1"], config: config) { $0.region = "sa-east-1" }.region == "sa-east-1")
    }

    /// A client of a stub server, with `attempts` tries and waits recorded instead of slept.
    func client(
        _ server: StubHTTPServer,
        attempts: Int = 3,
        clock: any WallClock = SystemWallClock(),
        waiter: RecordingWaiter = RecordingWaiter()
    ) throws -> AWSClient {
        var settings = AWSSettings()
        settings.endpointURL = server.url
        settings.credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: Secret("secret"))
        settings.maxAttempts = attempts
        settings.retryBase = .milliseconds(100)
        let resolved = try ResolvedAWSSettings.resolve(settings, environment: AWSEnvironment(variables: [:], home: "/nonexistent"))
        return AWSClient(
            settings: resolved,
            credentials: StaticCredentialProvider(settings.credentials!, source: "test"),
            clock: clock,
            waiter: waiter
        )
    }

    static let identity = """
        <GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/a</Arn><UserId>AIDA</UserId>\
        <Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>
        """

    @Test func throttlingAnd5xxAreRetriedWithFullJitter() async throws {
        let count = Mutex(0)
        let dates = Mutex<[String]>([])
        let server = try await StubHTTPServer.start { request in
            let number = count.withLock {
                $0 += 1
                return $0
            }
            dates.withLock { $0.append(request.headers["authorization"] ?? "") }
            switch number {
            case 1:
                return StubResponse(
                    status: 503,
                    body: "<ErrorResponse><Error><Code>ServiceUnavailable</Code><Message>busy</Message></Error></ErrorResponse>"
                )
            case 2:
                return StubResponse(
                    status: 400,
                    body: "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>"
                )
            default: return StubResponse(body: Self.identity)
            }
        }
        let waiter = RecordingWaiter()
        let identity = try await STS(try client(server, attempts: 3, waiter: waiter)).getCallerIdentity()
        #expect(identity.account == "123456789012")
        #expect(count.withLock { $0 } == 3)
        #expect(dates.withLock { $0 }.allSatisfy { $0.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") })  // every attempt signed
        let waits = waiter.recorded
        #expect(waits.count == 2)
        // Full jitter: anywhere from zero up to base × 2^(attempt-1).
        #expect(waits[0] >= .zero && waits[0] <= .milliseconds(100))
        #expect(waits[1] >= .zero && waits[1] <= .milliseconds(200))
        await server.stop()
    }

    @Test func aRequestThatStaysThrottledFailsWithTheAWSErrorAfterTheLastAttempt() async throws {
        let count = Mutex(0)
        let server = try await StubHTTPServer.start { _ in
            count.withLock { $0 += 1 }
            return StubResponse(
                status: 400,
                headers: ["x-amzn-RequestId": "req-42"],
                body:
                    #"{"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException", "message": "Rate of requests exceeds the allowed throughput."}"#
            )
        }
        let waiter = RecordingWaiter()
        let error = try await #require(throws: AWSServiceError.self) {
            try await DynamoDB(try client(server, attempts: 4, waiter: waiter)).listTables()
        }
        #expect(error.code == "ThrottlingException")
        #expect(error.requestID == "req-42")
        #expect(
            error.description
                == "DynamoDB ListTables failed: ThrottlingException (HTTP 400): Rate of requests exceeds the allowed throughput. [request id req-42]"
        )
        // Throttling passes if one waits: it gets `throttledMaxAttempts` (8) tries, more than the 4 a failure gets.
        #expect(count.withLock { $0 } == 8)
        #expect(waiter.recorded.count == 7)
        #expect(zip(waiter.recorded, 1...).allSatisfy { wait, attempt in wait <= .milliseconds(100 << (attempt - 1)) })

        // A client error is not retried.
        count.withLock { $0 = 0 }
        let validation = try await StubHTTPServer.start { _ in
            count.withLock { $0 += 1 }
            return StubResponse(status: 400, body: #"{"__type": "ValidationException", "message": "1 validation error"}"#)
        }
        let refused = try await #require(throws: AWSServiceError.self) { try await DynamoDB(try client(validation, attempts: 4)).listTables() }
        #expect(refused.code == "ValidationException")
        #expect(count.withLock { $0 } == 1)
        await server.stop()
        await validation.stop()
    }

    @Test func anUnreachableEndpointIsRetriedThenReported() async throws {
        var settings = AWSSettings()
        settings.endpointURL = "http://127.0.0.1:\(try unusedPort())"
        settings.credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: Secret("secret"))
        let waiter = RecordingWaiter()
        let client = try AWSClient.standard(settings, environment: AWSEnvironment(variables: [:], home: "/nonexistent"), waiter: waiter)
        let error = try await #require(throws: AWSClientError.self) { try await STS(client).getCallerIdentity() }
        #expect(error.description.hasPrefix("STS GetCallerIdentity: could not reach \(settings.endpointURL ?? "") after 3 attempts"))
        #expect(waiter.recorded.count == 2)
    }

    @Test func aSkewedClockIsCorrectedFromTheServersDate() async throws {
        // Our clock is an hour behind the server's, which refuses any request more than 5 minutes off
        // its own and sends its time in `Date` (Hummingbird sets that header on every answer).
        let count = Mutex(0)
        let server = try await StubHTTPServer.start { request in
            count.withLock { $0 += 1 }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
            let signed = request.headers["x-amz-date"].flatMap { formatter.date(from: $0) } ?? .distantPast
            guard abs(signed.timeIntervalSinceNow) < 300 else {
                return StubResponse(
                    status: 403,
                    body: """
                        <ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>\
                        <Message>Signature expired: is now earlier than (20261121T140000Z - 15 min.)</Message></Error></ErrorResponse>
                        """
                )
            }
            return StubResponse(body: Self.identity)
        }
        let start = Date()
        let client = try client(server, attempts: 1, clock: ManualWallClock(start.addingTimeInterval(-3600)))
        #expect(try await STS(client).getCallerIdentity().account == "123456789012")
        #expect(count.withLock { $0 } == 2)
        // The manual clock stands still, so the skew learned is the hour plus the time this took
        // (seconds on a machine busy with other tests). The server's `Date` has whole seconds and
        // is refreshed by a timer on its event loop, which lags when the machine is busy: the
        // bounds allow for both and still tell an hour learned from none or two.
        #expect(client.clockSkew > 3600 - 30 && client.clockSkew < 3600 + Date().timeIntervalSince(start) + 30, "\(client.clockSkew)")
        // Learned once: the next request is signed with the server's time from the start.
        #expect(try await STS(client).getCallerIdentity().account == "123456789012")
        #expect(count.withLock { $0 } == 3)
        await server.stop()
    }

    @Test(
        arguments: [
            (
                400, [:],
                "<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack x does not exist</Message></Error><RequestId>r1</RequestId></ErrorResponse>",
                "ValidationError", "Stack x does not exist", "r1"
            ),
            (
                400, [:],
                "<Response><Errors><Error><Code>InvalidInstanceID.Malformed</Code><Message>bad id</Message></Error></Errors><RequestID>r2</RequestID></Response>",
                "InvalidInstanceID.Malformed", "bad id", "r2"
            ),
            (
                404, ["x-amz-request-id": "r3"],
                "<?xml version=\"1.0\"?>\n<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>",
                "NoSuchBucket", "The specified bucket does not exist", "r3"
            ),
            (
                404, ["x-amzn-errortype": "ResourceNotFoundException:http://internal.amazon.com/", "x-amzn-requestid": "r4"],
                #"{"Message": "Function not found"}"#,
                "ResourceNotFoundException", "Function not found", "r4"
            ),
            (
                400, [:], #"{"__type": "com.amazon.coral.service#UnrecognizedClientException", "message": "The security token is invalid"}"#,
                "UnrecognizedClientException", "The security token is invalid", nil
            ),
            (403, [:], "", "Forbidden", "", nil),
        ] as [(Int, [String: String], String, String, String, String?)]
    )
    func errorAnswersInEveryShape(status: Int, headers: [String: String], body: String, code: String, message: String, requestID: String?) {
        let error = AWSServiceError.parse(AWSHTTPResponse(status: status, headers: headers, body: Data(body.utf8)))
        #expect(error.code == code)
        #expect(error.message == message)
        #expect(error.requestID == requestID)
        #expect(error.status == status)
    }
}
