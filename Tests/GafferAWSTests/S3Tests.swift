import Foundation
import GafferAWS
import GafferTestSupport
import Synchronization
import Testing

/// S3 (rest-xml) against moto with signatures checked.
@Suite struct S3Tests {
    @Test func bucketsTheirSettingsAndObjects() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let s3 = S3(try moto.client())
        try await s3.createBucket("gaffer-artifacts")
        try await S3(try moto.client(), region: "eu-west-1").createBucket("gaffer-eu")
        #expect(try await s3.listBuckets().map(\.name).sorted() == ["gaffer-artifacts", "gaffer-eu"])
        #expect(try await s3.bucketExists("gaffer-artifacts"))
        #expect(try await s3.bucketExists("nobody-made-this") == false)

        #expect(try await s3.getBucketTagging("gaffer-artifacts") == [:])
        try await s3.putBucketTagging("gaffer-artifacts", tags: ["team": "web", "cost-center": "R&D <1>"])
        #expect(try await s3.getBucketTagging("gaffer-artifacts") == ["team": "web", "cost-center": "R&D <1>"])

        #expect(try await s3.getBucketVersioning("gaffer-artifacts") == nil)
        try await s3.putBucketVersioning("gaffer-artifacts", enabled: true)
        #expect(try await s3.getBucketVersioning("gaffer-artifacts") == "Enabled")

        try await s3.putBucketEncryption("gaffer-artifacts", S3.Encryption(algorithm: "aws:kms", kmsKeyID: "alias/gaffer", bucketKeyEnabled: true))
        #expect(
            try await s3.getBucketEncryption("gaffer-artifacts")
                == S3.Encryption(algorithm: "aws:kms", kmsKeyID: "alias/gaffer", bucketKeyEnabled: true)
        )

        #expect(try await s3.getPublicAccessBlock("gaffer-artifacts") == nil)
        var block = S3.PublicAccessBlock()
        block.restrictPublicBuckets = false
        try await s3.putPublicAccessBlock("gaffer-artifacts", block)
        #expect(try await s3.getPublicAccessBlock("gaffer-artifacts") == block)
        #expect(try await s3.getBucketPolicyStatus("gaffer-artifacts") == false)

        // moto checks signatures against the decoded path, so keys with `+`, `~` or non-ASCII are refused
        // even from boto3; those keys are checked against botocore's own signer below.
        let keys = ["reports/2026/summary.json", "a key with spaces.txt", "deep/nested/file-1_2.txt"]
        for (index, key) in keys.enumerated() {
            let etag = try await s3.putObject(
                "gaffer-artifacts",
                key: key,
                body: Data("body \(index)".utf8),
                contentType: "text/plain",
                metadata: ["Job": "\(index)"]
            )
            #expect(etag != nil)
        }
        let stored = try await s3.getObject("gaffer-artifacts", key: keys[2])
        #expect(String(decoding: stored.body, as: UTF8.self) == "body 2")
        #expect(stored.metadata["job"] == "2")
        #expect(stored.contentType == "text/plain")

        let page1 = try await s3.listObjects("gaffer-artifacts", maxKeys: 2)
        #expect(page1.objects.count == 2)
        let token = try #require(page1.nextContinuationToken)
        let page2 = try await s3.listObjects("gaffer-artifacts", maxKeys: 2, continuationToken: token)
        #expect(page2.nextContinuationToken == nil)
        #expect((page1.objects + page2.objects).map(\.key).sorted() == keys.sorted())
        #expect(try await s3.listObjects("gaffer-artifacts", prefix: "reports").objects.map(\.size) == [6])

        let missing = try await #require(throws: AWSServiceError.self) { try await s3.getObject("gaffer-artifacts", key: "nope") }
        #expect(missing.code == "NoSuchKey")
        #expect(missing.status == 404)

        for key in keys { try await s3.deleteObject("gaffer-artifacts", key: key) }
        try await S3(try moto.client(), region: "eu-west-1").deleteBucket("gaffer-eu")
        #expect(try await s3.listBuckets().map(\.name) == ["gaffer-artifacts"])
    }

    /// What moto refuses even from boto3 when it checks signatures (it re-signs the decoded path
    /// and query): keys with `+`, `~` or non-ASCII, and a `/` in a query value. Run without
    /// signature checks; the signatures themselves are checked against botocore below.
    @Test func awkwardKeysAndSlashedQueriesRoundTrip() async throws {
        let moto = try await MotoServer.start(authenticated: false)
        defer { moto.stop() }
        let s3 = S3(try moto.client())
        try await s3.createBucket("gaffer-keys")
        let keys = ["a+b.txt", "ünïcode/ß~*'()!.txt", "reports/2026/a b=c&d.json"]
        for key in keys { _ = try await s3.putObject("gaffer-keys", key: key, body: Data(key.utf8)) }
        for key in keys { #expect(String(decoding: try await s3.getObject("gaffer-keys", key: key).body, as: UTF8.self) == key) }
        let folders = try await s3.listObjects("gaffer-keys", delimiter: "/")
        #expect(folders.commonPrefixes.sorted() == ["reports/", "ünïcode/"])
        #expect(folders.objects.map(\.key) == ["a+b.txt"])
        #expect(try await s3.listObjects("gaffer-keys", prefix: "reports/2026/").objects.map(\.key) == ["reports/2026/a b=c&d.json"])
    }

    /// botocore, the signer of the AWS CLI, as the oracle for S3's single-encoded paths.
    @Test(arguments: ["a+b.txt", "ünïcode/ß.txt", "~*'()!.txt", "dir//double/./dot/../x", "percent%2Fin-key", "a b=c&d"])
    func s3KeysAreSignedExactlyAsBotocoreSignsThem(key: String) async throws {
        let path =
            "/bucket/" + key.split(separator: "/", omittingEmptySubsequences: false).map { SigV4Signer.encode(String($0)) }.joined(separator: "/")
        // The same steps moto takes to check a signature: botocore's canonical request, string to sign and signature.
        let script = """
            import sys, hashlib
            from botocore.auth import S3SigV4Auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            request = AWSRequest(method="PUT", url="http://127.0.0.1:9000" + sys.argv[1], data=b"body")
            request.headers["X-Amz-Date"] = "20270115T080000Z"
            request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(b"body").hexdigest()
            request.context["timestamp"] = "20270115T080000Z"
            auth = S3SigV4Auth(Credentials("AKIDEXAMPLE", "secret"), "s3", "us-east-1")
            print(auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request))
            """
        let botocore = try await runCommand("/usr/bin/env", ["python3", "-c", script, path]).trimmingCharacters(in: .whitespacesAndNewlines)
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: .init("secret")),
            region: "us-east-1",
            service: "s3"
        )
        let request = HTTPRequestParts(method: "PUT", path: path, headers: [("Host", "127.0.0.1:9000")], body: Data("body".utf8))
        let ours = signer.sign(request, at: Date(timeIntervalSince1970: 1_800_000_000))  // 2027-01-15T08:00:00Z
        #expect(ours.signature == botocore, Comment(rawValue: "canonical request:\n" + ours.canonicalRequest))
    }

    /// Keeps what the client would send, answers 200.
    final class RecordingTransport: AWSTransport {
        let sent = Mutex<[AWSHTTPRequest]>([])
        func send(_ request: AWSHTTPRequest, timeout: Duration) async throws -> AWSHTTPResponse {
            sent.withLock { $0.append(request) }
            return AWSHTTPResponse(status: 200, headers: [:], body: Data())
        }
    }

    /// At AWS (TLS): the bucket in the host name and `UNSIGNED-PAYLOAD`; at a plain-HTTP local
    /// endpoint: path style and the body's hash.
    @Test(arguments: [true, false])
    func whereTheBucketGoesAndHowTheBodyIsSigned(atAWS: Bool) async throws {
        var settings = AWSSettings()
        settings.region = "eu-west-1"
        settings.credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: .init("secret"))
        if !atAWS { settings.endpointURL = "http://127.0.0.1:9000" }
        let transport = RecordingTransport()
        let client = try AWSClient.standard(settings, environment: AWSEnvironment(variables: [:], home: "/nonexistent"), transport: transport)
        _ = try await S3(client).putObject("gaffer-logs", key: "a/b.txt", body: Data("body".utf8))
        let sent = try #require(transport.sent.withLock { $0 }.first)
        let header = { (name: String) in sent.headers.first { $0.name.lowercased() == name }?.value }
        if atAWS {
            #expect(sent.url == "https://gaffer-logs.s3.eu-west-1.amazonaws.com/a/b.txt")
            #expect(header("x-amz-content-sha256") == "UNSIGNED-PAYLOAD")
        } else {
            #expect(sent.url == "http://127.0.0.1:9000/gaffer-logs/a/b.txt")
            #expect(header("x-amz-content-sha256") == "230d8358dc8e8890b4c58deeb62912ee2f20357ae92a5cc861b98e68fe31acb5")  // sha256("body")
        }
        #expect(header("authorization")?.contains("/eu-west-1/s3/aws4_request") == true)
    }

    @Test func overTLSTheBodyIsSentAsUnsignedPayload() throws {
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: .init("secret")),
            region: "us-east-1",
            service: "s3"
        )
        let request = HTTPRequestParts(method: "PUT", path: "/bucket/key", headers: [("Host", "s3.us-east-1.amazonaws.com")], body: Data("x".utf8))
        let signature = signer.sign(request, at: Date(timeIntervalSince1970: 1_800_000_000), payloadHash: SigV4Signer.unsignedPayload)
        #expect(signature.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
        #expect(signature.additions.contains { $0.name == "x-amz-content-sha256" && $0.value == "UNSIGNED-PAYLOAD" })
        // A presigned S3 URL is signed without a body.
        let presigned = signer.presign(request, at: Date(timeIntervalSince1970: 1_800_000_000), expires: 60)
        #expect(presigned.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
    }
}
