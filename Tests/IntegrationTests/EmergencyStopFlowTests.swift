import AsyncHTTPClient
import Foundation
import GafferAWS
import GafferApp
import GafferGitHub
import GafferTestSupport
import NIOCore
import Testing

/// The emergency stop end to end: paused through the API while a pipeline runs, the pipeline
/// stops, `/apply` is refused with who paused and why, and after the resume the pipeline runs
/// again and the change applies.
@Suite struct EmergencyStopFlowTests {
    @Test func aPauseStopsTheRunningPipelineRefusesApplyAndTheResumeCarriesOn() async throws {
        let story = try await ChangeFlowTests.Story.start()
        defer { story.stop() }
        let port = story.gaffer.port
        let task = try await story.openTask("Create an S3 bucket named paused-logs in us-east-1")
        let pull = task.pull.number
        let slow = try await story.sandbox.push(to: "gaffer/\(task.issue)-s3-bucket", path: "infra/gaffer-s3-bucket-paused-logs/buildspec.yml") {
            $0.replacingOccurrences(of: "  build:\n    commands:\n", with: "  build:\n    commands:\n      - sleep 10\n")
        }
        func check() async throws -> CheckRunDetails? {
            try await story.app.checkRuns(named: "gaffer/pipeline", for: slow, in: story.installed).first
        }
        try await waitUntil(timeout: .seconds(60), "the slow build to start") { try await check()?.status == "in_progress" }

        let (unsaid, refusal) = try await HTTPClient.shared.api(.POST, "/dashboard/api/pause", json: "{}", port: port)
        #expect(unsaid == 400 && (refusal["error"] as? [String: Any])?["code"] as? String == "reason_required", "a pause says why: \(refusal)")
        let (status, paused) = try await HTTPClient.shared.api(
            .POST,
            "/dashboard/api/pause",
            json: #"{"reason": "incident 42: a bad deploy", "by": "erin"}"#,
            port: port
        )
        #expect(status == 200 && paused["paused"] as? Bool == true && paused["by"] as? String == "erin", "\(paused)")

        // The build stops at once; its check says why and stays open, to be run again.
        try await waitUntil(timeout: .seconds(30), "the build to stop") { try await check()?.output?.title == "Paused" }
        let stopped = try #require(try await check())
        #expect(stopped.status == "in_progress")
        #expect(stopped.output?.summary?.contains("Gaffer was paused by erin: incident 42: a bad deploy.") == true)
        let (_, health) = try await HTTPClient.shared.api(.GET, "/health", port: port)
        #expect(health["status"] as? String == "ok", "a paused Gaffer still answers")
        #expect((health["paused"] as? [String: Any])?["reason"] as? String == "incident 42: a bad deploy", "\(health)")
        let metrics = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
        #expect(String(buffer: try await metrics.body.collect(upTo: 1 << 20)).contains("gaffer_paused 1"))

        // Approving is still a person's decision; applying waits for the resume.
        _ = try await story.say("/approve", on: pull, as: story.bob)
        let refused = try #require(try await story.say("/apply", on: pull, as: story.alice))
        #expect(refused.contains("`/apply` was not run: Gaffer is paused (by erin at "), "\(refused)")
        #expect(refused.contains(": incident 42: a bad deploy)."))
        #expect(try await S3(try story.aws()).bucketExists("paused-logs") == false)

        let (_, resumed) = try await HTTPClient.shared.api(.POST, "/dashboard/api/resume", json: "{}", port: port)
        #expect(resumed["paused"] as? Bool == false)
        try await waitUntil(timeout: .seconds(300), "the build to run again and pass") { try await check()?.conclusion == "success" }
        try await waitUntil(timeout: .seconds(300), "the plan of the new commit") {
            try await story.comment("plan", on: pull)?.contains(String(slow.prefix(12))) == true
        }
        try await story.gaffer.settle()
        let applied = try await ChangeFlowTests().approveAndApply(pull, in: story)
        #expect(applied.contains(": applied"), "\(applied)")
        #expect(try await S3(try story.aws()).bucketExists("paused-logs"))
    }
}
