import Foundation
import GafferAWS
import GafferCore
import GafferTestSupport
import Synchronization
import Testing

/// The credential chain with fake environments, real shared files, local ECS and IMDS
/// endpoints, and moto for the sources that go through STS.
@Suite struct CredentialChainTests {
    /// A home folder with `.aws/config` and `.aws/credentials`.
    func home(config: String = "", credentials: String = "") throws -> TemporaryDirectory {
        let home = try TemporaryDirectory("gaffer-aws-home")
        let folder = home.url.appendingPathComponent(".aws")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try config.write(to: folder.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        try credentials.write(to: folder.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
        return home
    }

    func client(_ variables: [String: String], home: String = "/nonexistent", settings: AWSSettings = AWSSettings()) throws -> AWSClient {
        try AWSClient.standard(settings, environment: AWSEnvironment(variables: variables, home: home))
    }

    func resolve(
        _ variables: [String: String],
        home: String = "/nonexistent",
        settings: AWSSettings = AWSSettings()
    ) async throws -> (ResolvedCredentials, AWSClient) {
        let client = try client(variables, home: home, settings: settings)
        return (try await client.credentials.resolve(), client)
    }

    @Test func configurationComesBeforeTheEnvironment() async throws {
        let environment = ["AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT00000", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "env-token"]
        let (fromEnvironment, _) = try await resolve(environment)
        #expect(
            fromEnvironment.credentials
                == AWSCredentials(accessKeyID: "AKIAENVIRONMENT00000", secretAccessKey: Secret("env-secret"), sessionToken: Secret("env-token"))
        )
        #expect(fromEnvironment.source == "the environment (AWS_ACCESS_KEY_ID)")

        var settings = AWSSettings()
        settings.credentials = AWSCredentials(accessKeyID: "AKIACONFIGURED000000", secretAccessKey: Secret("configured"))
        let (configured, _) = try await resolve(environment, settings: settings)
        #expect(configured.credentials.accessKeyID == "AKIACONFIGURED000000")
        #expect(configured.source.contains("Gaffer's configuration"))
    }

    @Test func profilesWithKeysRegionsAndARoleThroughASourceProfile() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let home = try home(
            config: """
                [default]
                region = us-west-2

                [profile dev]
                region = eu-west-2

                # Deploys go through a role in the second account.
                [profile deploy]
                role_arn = arn:aws:iam::222222222222:role/deployer
                source_profile = dev
                external_id = ext-777
                role_session_name = gaffer-deploy
                region = eu-central-1
                endpoint_url = \(moto.endpoint)
                """,
            credentials: """
                [default]
                aws_access_key_id = AKIADEFAULTPROFILE00
                aws_secret_access_key = default-secret

                [dev]
                aws_access_key_id = \(moto.credentials.accessKeyID)
                aws_secret_access_key = \(moto.credentials.secretAccessKey.revealed)
                """
        )
        defer { home.remove() }

        let (byDefault, defaultClient) = try await resolve([:], home: home.url.path)
        #expect(byDefault.credentials.accessKeyID == "AKIADEFAULTPROFILE00")
        #expect(byDefault.source == "profile default of the shared files")
        #expect(defaultClient.region == "us-west-2")

        let (deploy, client) = try await resolve(["AWS_PROFILE": "deploy"], home: home.url.path)
        #expect(deploy.source == "role arn:aws:iam::222222222222:role/deployer assumed through profile deploy")
        #expect(client.region == "eu-central-1")
        #expect(client.endpoint(for: .sts, region: client.region).port == moto.port)
        let identity = try await STS(client).getCallerIdentity()
        #expect(identity.arn == "arn:aws:sts::222222222222:assumed-role/deployer/gaffer-deploy")
        // The environment's region wins over the profile's.
        let (_, inLondon) = try await resolve(["AWS_PROFILE": "deploy", "AWS_REGION": "eu-west-2"], home: home.url.path)
        #expect(inLondon.region == "eu-west-2")
        #expect(inLondon.settings.regionSource == "AWS_REGION")
    }

    @Test func brokenProfilesSayWhatIsWrong() throws {
        let home = try home(
            config: """
                [profile loop-a]
                role_arn = arn:aws:iam::111111111111:role/a
                source_profile = loop-b
                [profile loop-b]
                role_arn = arn:aws:iam::111111111111:role/b
                source_profile = loop-a
                [profile sourceless]
                role_arn = arn:aws:iam::111111111111:role/c
                [profile half]
                aws_access_key_id = AKIAHALF000000000000
                """
        )
        defer { home.remove() }
        func error(_ variables: [String: String]) -> String {
            do {
                _ = try AWSClient.standard(AWSSettings(), environment: AWSEnvironment(variables: variables, home: home.url.path))
                return "no error"
            } catch {
                return error.description
            }
        }
        #expect(error(["AWS_PROFILE": "nope"]).contains("the AWS profile 'nope' is not in"))
        #expect(error(["AWS_PROFILE": "nope"]).contains("profiles there: half, loop-a, loop-b, sourceless"))
        #expect(error(["AWS_PROFILE": "loop-a"]).contains("is its own source through source_profile"))
        #expect(error(["AWS_PROFILE": "sourceless"]).contains("has role_arn but neither source_profile nor credential_source"))
        #expect(error(["AWS_PROFILE": "half"]).contains("needs both aws_access_key_id and aws_secret_access_key"))
        #expect(error(["AWS_EC2_METADATA_DISABLED": "true"]).contains("no AWS credentials"))

        let unreadable = try TemporaryDirectory("gaffer-aws-bad")
        defer { unreadable.remove() }
        try "[profile x\nregion = eu-west-1\n".write(to: unreadable.url.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        #expect(
            error(["AWS_CONFIG_FILE": unreadable.url.appendingPathComponent("config").path]).contains(
                "config:1: '[profile x' opens a section without closing it"
            )
        )
    }

    /// moto fails (HTTP 500) on any request without an Authorization header when it checks
    /// signatures, and this exchange is unsigned by design: run without checks.
    @Test func webIdentityTokenExchangedThroughSTS() async throws {
        let moto = try await MotoServer.start(authenticated: false)
        defer { moto.stop() }
        let folder = try TemporaryDirectory("gaffer-web-identity")
        defer { folder.remove() }
        let tokenFile = folder.url.appendingPathComponent("token").path
        try "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvd2ViIn0.c2lnbmF0dXJl\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let (resolved, client) = try await resolve([
            "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": "arn:aws:iam::333333333333:role/github-actions",
            "AWS_ROLE_SESSION_NAME": "gaffer-oidc", "AWS_ENDPOINT_URL": moto.endpoint,
        ])
        #expect(resolved.source == "web identity for arn:aws:iam::333333333333:role/github-actions (AWS_WEB_IDENTITY_TOKEN_FILE)")
        #expect(resolved.credentials.sessionToken != nil)
        #expect(resolved.expiration != nil)
        #expect(try await STS(client).getCallerIdentity().account == "333333333333")
    }

    @Test func containerCredentialsWithTheAuthorizationTokenFile() async throws {
        let expiration = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
        let seen = Mutex<[String]>([])
        let server = try await StubHTTPServer.start { request in
            seen.withLock { $0.append("\(request.method) \(request.target) \(request.headers["authorization"] ?? "-")") }
            if request.target == "/broken" { return StubResponse(body: #"{"SecretAccessKey": "never-printed-secret", "Token": "x"}"#) }
            guard request.headers["authorization"] == "Bearer pod-token" else { return StubResponse(status: 401) }
            return StubResponse(
                body:
                    #"{"AccessKeyId": "ASIACONTAINER0000000", "SecretAccessKey": "container-secret", "Token": "container-token", "Expiration": "\#(expiration)"}"#
            )
        }
        let folder = try TemporaryDirectory("gaffer-ecs")
        defer { folder.remove() }
        try "Bearer pod-token\n".write(to: folder.url.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        let (resolved, _) = try await resolve([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/v2/credentials/task",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": folder.url.appendingPathComponent("token").path,
        ])
        #expect(
            resolved.credentials
                == AWSCredentials(
                    accessKeyID: "ASIACONTAINER0000000",
                    secretAccessKey: Secret("container-secret"),
                    sessionToken: Secret("container-token")
                )
        )
        #expect(abs((resolved.expiration?.timeIntervalSinceNow ?? 0) - 3600) < 60)
        #expect(seen.withLock { $0 } == ["GET /v2/credentials/task Bearer pod-token"])

        let unauthorized = try client([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/v2/credentials/task", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong",
        ])
        let refused = try await #require(throws: AWSClientError.self) { try await unauthorized.credentials.resolve() }
        #expect(refused.description.contains("answered HTTP 401"))
        // A document that cannot be read is reported without quoting it: it may hold a secret.
        let broken = try client(["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/broken"])
        let unreadable = try await #require(throws: AWSClientError.self) { try await broken.credentials.resolve() }
        #expect(unreadable.description.contains("could not be read"))
        #expect(!unreadable.description.contains("never-printed-secret"))
        // A plain-HTTP endpoint that is not a container host would receive the token in the clear.
        let remote = try #require(throws: AWSClientError.self) { try client(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://example.com/creds"]) }
        #expect(remote.description.contains("must be https, or http on a loopback address"))
        await server.stop()
    }

    /// IMDS as EC2 runs it: PUT a token, then GETs that carry it.
    final class InstanceMetadata: Sendable {
        let tokenStatus: Int
        let log = Mutex<[String]>([])
        let issued = Mutex(0)
        let rejectFirstToken: Bool

        init(tokenStatus: Int = 200, rejectFirstToken: Bool = false) {
            self.tokenStatus = tokenStatus
            self.rejectFirstToken = rejectFirstToken
        }

        func handle(_ request: StubRequest) -> StubResponse {
            log.withLock { $0.append("\(request.method) \(request.target)") }
            if request.method == "PUT" && request.target == "/latest/api/token" {
                guard tokenStatus == 200 else { return StubResponse(status: tokenStatus) }
                guard request.headers["x-aws-ec2-metadata-token-ttl-seconds"] == "21600" else { return StubResponse(status: 400) }
                let number = issued.withLock {
                    $0 += 1
                    return $0
                }
                return StubResponse(body: "token-\(number)")
            }
            let token = request.headers["x-aws-ec2-metadata-token"]
            if tokenStatus == 200 {
                guard let token, token.hasPrefix("token-") else { return StubResponse(status: 401) }
                if rejectFirstToken && token == "token-1" { return StubResponse(status: 401) }
            }
            switch request.target {
            case "/latest/meta-data/iam/security-credentials/": return StubResponse(body: "gaffer-instance\n")
            case "/latest/meta-data/iam/security-credentials/gaffer-instance":
                return StubResponse(
                    body:
                        #"{"Code": "Success", "AccessKeyId": "ASIAINSTANCE00000000", "SecretAccessKey": "instance-secret", "Token": "instance-token", "Expiration": "2099-01-01T00:00:00Z"}"#
                )
            default: return StubResponse(status: 404)
            }
        }
    }

    @Test func instanceMetadataWithIMDSv2Tokens() async throws {
        let imds = InstanceMetadata()
        let server = try await StubHTTPServer.start { imds.handle($0) }
        let (resolved, _) = try await resolve(["AWS_METADATA_SERVICE_TIMEOUT": "20", "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url])
        #expect(resolved.credentials.accessKeyID == "ASIAINSTANCE00000000")
        #expect(resolved.source == "EC2 instance metadata (role gaffer-instance)")
        #expect(
            imds.log.withLock { $0 } == [
                "PUT /latest/api/token", "GET /latest/meta-data/iam/security-credentials/",
                "GET /latest/meta-data/iam/security-credentials/gaffer-instance",
            ]
        )
        await server.stop()
    }

    @Test func aRefusedTokenStopsTheChainAndAStaleOneIsReplaced() async throws {
        let refusing = InstanceMetadata(tokenStatus: 403)
        let refusingServer = try await StubHTTPServer.start { refusing.handle($0) }
        let refusingClient = try client(["AWS_METADATA_SERVICE_TIMEOUT": "20", "AWS_EC2_METADATA_SERVICE_ENDPOINT": refusingServer.url])
        let refused = try await #require(throws: AWSClientError.self) { try await refusingClient.credentials.resolve() }
        #expect(refused.description.contains("refused a session token (HTTP 403): IMDS is disabled for this instance"))
        #expect(refusing.log.withLock { $0 } == ["PUT /latest/api/token"])  // no IMDSv1 request after a 403
        await refusingServer.stop()

        let stale = InstanceMetadata(rejectFirstToken: true)
        let staleServer = try await StubHTTPServer.start { stale.handle($0) }
        let (resolved, _) = try await resolve(["AWS_METADATA_SERVICE_TIMEOUT": "20", "AWS_EC2_METADATA_SERVICE_ENDPOINT": staleServer.url])
        #expect(resolved.credentials.accessKeyID == "ASIAINSTANCE00000000")
        #expect(stale.issued.withLock { $0 } == 2)
        await staleServer.stop()

        // A metadata service without tokens (404): IMDSv1, unless it is switched off.
        let old = InstanceMetadata(tokenStatus: 404)
        let oldServer = try await StubHTTPServer.start { old.handle($0) }
        #expect(
            try await resolve(["AWS_METADATA_SERVICE_TIMEOUT": "20", "AWS_EC2_METADATA_SERVICE_ENDPOINT": oldServer.url]).0.credentials.accessKeyID
                == "ASIAINSTANCE00000000"
        )
        let v2Only = try client([
            "AWS_METADATA_SERVICE_TIMEOUT": "20", "AWS_EC2_METADATA_SERVICE_ENDPOINT": oldServer.url, "AWS_EC2_METADATA_V1_DISABLED": "true",
        ])
        let disabled = try await #require(throws: AWSClientError.self) { try await v2Only.credentials.resolve() }
        #expect(disabled.description.contains("IMDSv1 is disabled"))
        await oldServer.stop()
    }

    /// Hands out a new key on each call, valid for an hour of the manual clock.
    final class CountingProvider: AWSCredentialProvider {
        let clock: ManualWallClock
        let calls = Mutex(0)
        let failing = Mutex(false)

        init(clock: ManualWallClock) { self.clock = clock }

        func resolve() async throws -> ResolvedCredentials {
            if failing.withLock({ $0 }) { throw AWSClientError("the credential endpoint is down") }
            let number = calls.withLock {
                $0 += 1
                return $0
            }
            try await Task.sleep(for: .milliseconds(20))  // long enough for concurrent callers to pile up
            return ResolvedCredentials(
                credentials: AWSCredentials(accessKeyID: "ASIAKEY\(number)", secretAccessKey: Secret("s")),
                expiration: clock.now().addingTimeInterval(3600),
                source: "test"
            )
        }
    }

    @Test func cachedUntilFiveMinutesBeforeExpiryAndRefreshedOnce() async throws {
        let clock = ManualWallClock()
        let inner = CountingProvider(clock: clock)
        let cache = CachedCredentialProvider(inner, clock: clock)
        let keys = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<10 { group.addTask { try await cache.resolve().credentials.accessKeyID } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(keys == ["ASIAKEY1"])
        #expect(inner.calls.withLock { $0 } == 1)

        clock.advance(by: 50 * 60)
        #expect(try await cache.resolve().credentials.accessKeyID == "ASIAKEY1")
        clock.advance(by: 6 * 60)  // 4 minutes left: inside the refresh window
        #expect(try await cache.resolve().credentials.accessKeyID == "ASIAKEY2")

        // A failed refresh keeps credentials that still work, and reports the failure once they do not.
        inner.failing.withLock { $0 = true }
        clock.advance(by: 57 * 60)
        #expect(try await cache.resolve().credentials.accessKeyID == "ASIAKEY2")
        clock.advance(by: 4 * 60)
        let expired = try await #require(throws: AWSClientError.self) { try await cache.resolve() }
        #expect(expired.description == "the credential endpoint is down")
        inner.failing.withLock { $0 = false }
        #expect(try await cache.resolve().credentials.accessKeyID == "ASIAKEY3")
    }
}
