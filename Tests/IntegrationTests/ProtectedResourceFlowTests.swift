import Foundation
import GafferAWS
import GafferApp
import GafferCore
import GafferTestSupport
import Testing

/// `protected_resources` end to end: what it protects is never planned, and nothing of the refused plan is left behind.
@Suite struct ProtectedResourceFlowTests {
    @Test func aPlanTouchingAProtectedStackOrResourceIsRefusedAndLeavesNothingBehind() async throws {
        let story = try await ChangeFlowTests.Story.start { configuration in
            configuration.changes.protected = ProtectedResources(rules: [.stack("gaffer-s3-bucket-keep-*"), .arn("arn:aws:s3:::shared-*")])
        }
        defer { story.stop() }
        // A stack protected by its name: no change set, no lock.
        let kept = try await story.openTask("Create an S3 bucket named keep-logs in us-east-1")
        #expect(
            kept.plan.contains("`/plan` was refused: the stack gaffer-s3-bucket-keep-logs is protected by the rule `gaffer-s3-bucket-keep-*`"),
            "\(kept.plan)"
        )
        #expect(try await story.stackStatus("gaffer-s3-bucket-keep-logs") == nil)
        #expect(try await story.gaffer.server.store.locks(repository: "acme/web", pullRequest: kept.pull.number).isEmpty)

        // A protected resource may be made, but not changed: the change set that would modify it is dropped.
        let made = try await story.openTask("Create an S3 bucket named shared-logs in us-east-1")
        #expect(try await ChangeFlowTests().approveAndApply(made.pull.number, in: story).contains(": applied"))
        let changed = try await story.openTask("Update the S3 bucket named shared-logs in us-east-1", body: "tags: team=data")
        #expect(
            changed.plan.contains(
                "`/plan` was refused: arn:aws:s3:::shared-logs in the stack gaffer-s3-bucket-shared-logs is protected by the rule `arn:aws:s3:::shared-*`"
            ),
            "\(changed.plan)"
        )
        #expect(try await story.gaffer.server.store.locks(repository: "acme/web", pullRequest: changed.pull.number).isEmpty)
        let changeSets = try await CloudFormation(try story.aws(), region: "us-east-1").listChangeSets("gaffer-s3-bucket-shared-logs")
        #expect(changeSets.map(\.executionStatus) == ["EXECUTE_COMPLETE"], "only the applied one is left: \(changeSets)")
    }
}
