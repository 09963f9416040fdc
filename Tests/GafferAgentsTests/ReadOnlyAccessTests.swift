import Foundation
import GafferAWS
import GafferAgents
import GafferCore
import GafferTestSupport
import Testing

/// Reports never change AWS: the clients report agents get refuse every write in this process,
/// before it is signed or sent, whatever the credentials would allow.
@Suite struct ReadOnlyAccessTests {
    /// Answers every request (STS with an identity), and keeps the operation each one named on the wire.
    final class RecordingTransport: AWSTransport {
        let sent = Locked<[String]>([])

        func send(_ request: AWSHTTPRequest, timeout: Duration) async throws -> AWSHTTPResponse {
            let form = String(decoding: request.body, as: UTF8.self)
            let action = form.split(separator: "&").first { $0.hasPrefix("Action=") }.map { String($0.dropFirst(7)) }
            let target = request.headers.first { $0.name.lowercased() == "x-amz-target" }?.value.split(separator: ".").last.map(String.init)
            sent.update { $0.append(action ?? target ?? "\(request.method) \(request.url)") }
            if action == "GetCallerIdentity" {
                let body =
                    "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/r</Arn>"
                    + "<UserId>R</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>"
                return AWSHTTPResponse(status: 200, headers: [:], body: Data(body.utf8))
            }
            if action != nil { return AWSHTTPResponse(status: 200, headers: [:], body: Data("<\(action ?? "")Response/>".utf8)) }
            return AWSHTTPResponse(status: 200, headers: [:], body: Data(target == nil ? "<ListAllMyBucketsResult/>".utf8 : "{}".utf8))
        }
    }

    static func sources(_ transport: RecordingTransport) throws -> ReportSources {
        var settings = AWSSettings()
        settings.region = "us-east-1"
        settings.endpointURL = "http://127.0.0.1:9"
        settings.credentials = AWSCredentials(accessKeyID: "AKIDREADONLYTEST0000", secretAccessKey: Secret("secret"))
        let base = try AWSClient.standard(settings, environment: AWSEnvironment(variables: [:], home: "/nonexistent"), transport: transport)
        return ReportSources(base: base, registry: EmptyRegistry())
    }

    @Test func aWriteFromAReportAgentsClientIsRefusedBeforeItLeavesTheProcess() async throws {
        let transport = RecordingTransport()
        let client = try await Self.sources(transport).accounts.client(for: "123456789012")
        #expect(client.access == .readOnly)
        let before = transport.sent.value

        let writes: [(String, @Sendable () async throws -> Void)] = [
            ("S3 PutBucketTagging", { try await S3(client).putBucketTagging("b", tags: ["a": "b"]) }),
            ("EC2 StopInstances", { _ = try await EC2(client).stopInstances(["i-1"]) }),
            ("CloudFormation DeleteStack", { try await CloudFormation(client).deleteStack("s") }),
            ("IAM CreateUser", { _ = try await client.query(.iam, "CreateUser", [("UserName", "x")]) }),
            ("DynamoDB DeleteTable", { let _: JSONValue = try await client.json(.dynamoDB, "DeleteTable", ["TableName": "t"]) }),
            // A write dressed as a read: the label says Get, the form on the wire says DeleteStack.
            (
                "CloudFormation DeleteStack",
                {
                    _ = try await client.send(
                        AWSRequest(operation: "GetTemplate", method: "POST", body: Data("Action=DeleteStack&Version=2010-05-15&StackName=s".utf8)),
                        to: .cloudFormation
                    )
                }
            ),
            ("a DELETE", { _ = try await client.send(AWSRequest(operation: "GetObject", method: "DELETE", path: "/k", bucket: "b"), to: .s3) }),
        ]
        for (name, write) in writes {
            let error = await #expect(throws: AWSClientError.self, "\(name)") { try await write() }
            #expect(error.map { "\($0)".contains("may only read") } == true, "\(name): \(String(describing: error))")
        }
        #expect(transport.sent.value == before, "nothing was sent for any write")

        // Reads still go out.
        _ = try await EC2(client).describeRegions()
        #expect(transport.sent.value.last == "DescribeRegions")
    }

    @Test func everyCallAReportMakesIsARead() async throws {
        let transport = RecordingTransport()
        let sources = try Self.sources(transport)
        let coordinator = try reportingCoordinator(sources)
        for kind in [TaskKind.discover, .healthCheck, .securityAudit] {
            let plan = try await coordinator.plan(AwsTask(kind: kind, resource: nil, region: "us-east-1"))
            #expect(plan.steps.first?.state == .succeeded, "\(kind): \(plan.steps.first?.error ?? "")")
        }
        let operations = Set(transport.sent.value)
        #expect(operations.count > 10)
        let writes = operations.filter { operation in
            !["Describe", "List", "Get", "Lookup", "GET "].contains { operation.hasPrefix($0) }
        }
        #expect(writes.isEmpty, "\(writes.sorted())")
    }
}
