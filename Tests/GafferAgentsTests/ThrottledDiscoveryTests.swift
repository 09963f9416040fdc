import Foundation
import GafferAWS
import GafferAgents
import GafferCore
import GafferTestSupport
import Testing

/// A discovery of thousands of resources meets throttling as a matter of course: it waits and
/// goes on, and the report is whole.
@Suite struct ThrottledDiscoveryTests {
    /// Sends to moto, but answers ThrottlingException to the first two attempts of every distinct
    /// request (same URL and body), so each call is slowed twice and then served.
    final class ThrottlingTransport: AWSTransport {
        let real = AsyncHTTPClientAWSTransport()
        let attempts = Locked<[String: Int]>([:])
        let throttled = Locked(0)

        func send(_ request: AWSHTTPRequest, timeout: Duration) async throws -> AWSHTTPResponse {
            let target = request.headers.first { $0.name.lowercased() == "x-amz-target" }?.value ?? ""
            let key = "\(request.method) \(request.url) \(target) \(String(decoding: request.body, as: UTF8.self))"
            let attempt = attempts.update { seen -> Int in
                seen[key, default: 0] += 1
                return seen[key] ?? 0
            }
            guard attempt > 2 else {
                throttled.update { $0 += 1 }
                let body = #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#
                return AWSHTTPResponse(status: 400, headers: ["content-type": "application/x-amz-json-1.1"], body: Data(body.utf8))
            }
            return try await real.send(request, timeout: timeout)
        }
    }

    @Test func throttlingSlowsButDoesNotFailADiscoveryOfFiveThousandResources() async throws {
        let moto = try await MotoServer.start(authenticated: false)
        defer { moto.stop() }
        var settings = AWSSettings()
        settings.region = "us-east-1"
        settings.endpointURL = moto.endpoint
        settings.credentials = moto.credentials
        // moto makes hundreds of instances a call slowly on a busy machine: every call waits as long as it takes.
        settings.timeout = .seconds(600)
        let seed = try AWSClient.standard(settings, environment: AWSEnvironment(variables: [:], home: "/nonexistent"))
        // 2,500 instances, each with its root volume: 5,000 resources.
        var ids: [String] = []
        for _ in 1...5 {
            let run = try await seed.query(
                .ec2,
                "RunInstances",
                [("ImageId", "ami-12c6146b"), ("MinCount", "500"), ("MaxCount", "500"), ("InstanceType", "t3.nano")]
            )
            ids += run.list("instancesSet").compactMap { $0.string("instanceId") }
        }
        #expect(ids.count == 2500)
        // Half of them tagged, so the tagging API has pages to follow too.
        for start in stride(from: 0, to: 1250, by: 250) {
            try await EC2(seed).createTags(resources: Array(ids[start..<start + 250]), tags: ["team": "web"])
        }

        settings.retryBase = .milliseconds(5)
        settings.retryCap = .milliseconds(50)
        let transport = ThrottlingTransport()
        let base = try AWSClient.standard(settings, environment: AWSEnvironment(variables: [:], home: "/nonexistent"), transport: transport)
        let coordinator = try reportingCoordinator(ReportSources(base: base, registry: EmptyRegistry()))
        let plan = try await coordinator.plan(AwsTask(kind: .discover, resource: nil, region: "us-east-1"))
        let step = try #require(plan.steps.first)
        #expect(step.state == .succeeded, "\(step.error ?? "")")
        let report = try #require(step.output?.report)
        #expect(report.gaps.isEmpty, "\(report.gaps)")
        let instances = report.resources.filter { $0.type == "AWS::EC2::Instance" }
        #expect(instances.count == 2500)
        #expect(report.resources.filter { $0.type == "AWS::EC2::Volume" }.count == 2500)
        #expect(instances.filter { $0.tags["team"] == "web" }.count == 1250)
        let distinct = transport.attempts.value.count
        #expect(transport.throttled.value == 2 * distinct, "every call was throttled twice before it was served")
    }
}
