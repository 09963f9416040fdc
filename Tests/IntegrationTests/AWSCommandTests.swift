import Foundation
import GafferAWS
import GafferTestSupport
import Testing

/// `gaffer aws whoami`, `gaffer aws inventory` and `gaffer pipeline run` with AWS parameters,
/// as processes against moto with signatures checked.
struct AWSCommandTests {
    func environment(_ moto: MotoServer, home: URL, secret: String? = nil) -> [String: String] {
        [
            "HOME": home.path, "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyID,
            "AWS_SECRET_ACCESS_KEY": secret ?? moto.credentials.secretAccessKey.revealed,
            "AWS_ENDPOINT_URL": moto.endpoint, "AWS_REGION": "eu-west-1", "AWS_PROFILE": "", "AWS_CONFIG_FILE": "", "AWS_SHARED_CREDENTIALS_FILE": "",
        ]
    }

    func run(_ arguments: [String], _ environment: [String: String], in directory: URL? = nil) async throws -> (status: Int32, output: String) {
        let process = try GafferProcess(arguments: arguments, environment: environment, directory: directory)
        defer { process.stop() }
        let status = try await process.waitForExit(timeout: .seconds(120))
        // The pipe may still hold the last lines when the process has gone.
        try? await waitUntil(timeout: .seconds(2), "the output") { !process.output.isEmpty }
        return (status, process.output)
    }

    @Test func whoamiNamesTheIdentityAndWhereItCameFrom() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let home = try TemporaryDirectory("gaffer-aws-cli")
        defer { home.remove() }
        let (status, output) = try await run(["aws", "whoami"], environment(moto, home: home.url))
        #expect(status == 0)
        #expect(output.contains("account:     123456789012\narn:         arn:aws:iam::123456789012:user/gaffer\n"))
        #expect(output.contains("credentials: the environment (AWS_ACCESS_KEY_ID)\nregion:      eu-west-1 (from AWS_REGION)\n"))
        #expect(output.contains("endpoint:    \(moto.endpoint)"))

        var crossAccount = environment(moto, home: home.url)
        crossAccount["GAFFER_AWS_ACCOUNT_ROLES"] = "444455556666=arn:aws:iam::444455556666:role/gaffer;ext-9"
        let (assumedStatus, assumed) = try await run(["aws", "whoami", "--account", "444455556666"], crossAccount)
        #expect(assumedStatus == 0)
        #expect(assumed.contains("arn:         arn:aws:sts::444455556666:assumed-role/gaffer/gaffer\n"))
        #expect(assumed.contains("credentials: role arn:aws:iam::444455556666:role/gaffer assumed for account 444455556666"))

        let (refusedStatus, refused) = try await run(["aws", "whoami"], environment(moto, home: home.url, secret: "wrong"))
        #expect(refusedStatus == 1)
        #expect(refused.contains("gaffer: STS GetCallerIdentity failed: SignatureDoesNotMatch (HTTP 403)"))
        #expect(!refused.contains(moto.credentials.secretAccessKey.revealed))

        let (badStatus, bad) = try await run(["aws", "whoami", "--profile", "nope"], environment(moto, home: home.url))
        #expect(badStatus == 2)
        #expect(bad.contains("the AWS profile 'nope' is not in any shared file (none found)"))
    }

    @Test func inventoryListsTaggedResourcesByService() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let client = try moto.client(region: "eu-west-1")
        let s3 = S3(client)
        try await s3.createBucket("orders-assets")
        try await s3.putBucketTagging("orders-assets", tags: ["app": "orders", "env": "prod"])
        try await s3.createBucket("blog-assets")
        try await s3.putBucketTagging("blog-assets", tags: ["app": "blog"])
        _ = try await client.query(
            .ec2,
            "RunInstances",
            [
                ("ImageId", "ami-12c6146b"), ("MinCount", "1"), ("MaxCount", "1"),
                ("TagSpecification.1.ResourceType", "instance"), ("TagSpecification.1.Tag.1.Key", "app"),
                ("TagSpecification.1.Tag.1.Value", "orders"),
            ]
        )
        let home = try TemporaryDirectory("gaffer-aws-cli")
        defer { home.remove() }

        let (status, output) = try await run(["aws", "inventory", "--tag", "app=orders"], environment(moto, home: home.url))
        #expect(status == 0)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.contains("ec2 (1)"))
        #expect(lines.contains("s3 (1)"))
        #expect(lines.contains("  arn:aws:s3:::orders-assets  app=orders env=prod"))
        #expect(lines.contains { $0.hasPrefix("  arn:aws:ec2:eu-west-1:123456789012:instance/i-") && $0.hasSuffix("  app=orders") })
        #expect(lines.last == "2 resources in eu-west-1")
        #expect(!output.contains("blog-assets"))

        let (jsonStatus, json) = try await run(["aws", "inventory", "--tag", "app", "--json"], environment(moto, home: home.url))
        #expect(jsonStatus == 0)
        let records = json.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(records.count == 3)
        #expect(Set(records.compactMap { $0["service"] as? String }) == ["ec2", "s3"])
    }

    @Test func pipelineRunReadsParameterStoreAndSecretsManager() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let client = try moto.client(region: "eu-west-1")
        try await SSM(client).putParameter("/ci/db-password", value: "hunter2-db-pass", type: "SecureString")
        _ = try await SecretsManager(client).createSecret("ci", secretString: #"{"token": "tok_9f8e7d6c5b4a"}"#)
        let home = try TemporaryDirectory("gaffer-aws-pipeline")
        defer { home.remove() }
        try """
        version: 0.2
        env:
          parameter-store: {DB_PASSWORD: /ci/db-password, GIVEN: /ci/given}
          secrets-manager: {TOKEN: "ci:token"}
        phases:
          build:
            commands:
              - printf '%s|%s|%s' "$DB_PASSWORD" "$TOKEN" "$GIVEN" > values.txt
              - echo "password is $DB_PASSWORD"
        """.write(to: home.url.appendingPathComponent("buildspec.yml"), atomically: true, encoding: .utf8)
        let (status, output) = try await run(
            ["pipeline", "run", "--parameter", "/ci/given=from-the-command-line", "--output", home.url.appendingPathComponent("out").path],
            environment(moto, home: home.url),
            in: home.url
        )
        #expect(status == 0, Comment(rawValue: output))
        #expect(
            try String(contentsOf: home.url.appendingPathComponent("values.txt"), encoding: .utf8)
                == "hunter2-db-pass|tok_9f8e7d6c5b4a|from-the-command-line"
        )
        #expect(output.contains("password is ***"))
        #expect(!output.contains("hunter2-db-pass"))
    }
}
