import Foundation
import GafferAWS
import GafferAgents
import GafferCore
import GafferTestSupport
import Testing

/// The read-only reports against moto seeded with managed and unmanaged, safe and unsafe,
/// healthy and broken resources: what each must find and what it must not.
@Suite(.serialized) struct ReportTests {
    static func run(
        _ kind: TaskKind,
        _ resource: ResourceKind? = nil,
        sources: ReportSources,
        clock: any WallClock = SystemWallClock()
    ) async throws -> Report {
        let task = AwsTask(kind: kind, resource: resource, region: SeededAWS.region)
        let coordinator = try reportingCoordinator(sources, clock: clock)
        let plan = try await coordinator.plan(task)
        let step = try #require(plan.steps.first)
        #expect(step.state == .succeeded, "\(step.error ?? "")")
        return try #require(step.output?.report)
    }

    @Test func discoverSaysWhatIsManagedUnmanagedAndGone() async throws {
        let aws = try await SeededAWS.start()
        defer { aws.stop() }
        let report = try await Self.run(.discover, sources: aws.sources())
        let byID = Dictionary(report.resources.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

        #expect(byID["gaffer-logs"]?.managed == true)
        #expect(byID["gaffer-logs"]?.stack == "gaffer-7-s3-gaffer-logs")
        #expect(byID["gaffer-logs"]?.tags["gaffer:issue"] == "7")
        #expect(byID["gaffer-logs"]?.region == "us-east-1")
        #expect(byID["loose-uploads"]?.managed == false)
        #expect(byID["orders"]?.type == "AWS::DynamoDB::Table")
        #expect(byID["orders"]?.managed == false)
        #expect(byID["orders-api"]?.type == "AWS::Lambda::Function")
        #expect(byID["orders-api"]?.owner == .infrastructure && byID["orders-api"]?.autonomy == 8)
        #expect(byID["orders-errors"]?.owner == .monitoring && byID["orders-errors"]?.autonomy == 9)
        #expect(byID["legacy-db"]?.autonomy == 4)
        #expect(byID["old-table"]?.gone == true)
        #expect(byID["old-table"]?.managed == true)
        #expect(byID["far-table"] == nil, "a registered resource outside the report's regions is not called gone")
        #expect(byID["legacy-db"]?.type == "AWS::RDS::DBInstance")
        #expect(byID[aws.ids["instance"] ?? "?"]?.arn == "arn:aws:ec2:us-east-1:\(aws.account):instance/\(aws.ids["instance"] ?? "")")
        #expect(byID[aws.ids["wide-open"] ?? "?"]?.type == "AWS::EC2::SecurityGroup")
        #expect(byID["orders-errors"]?.type == "AWS::CloudWatch::Alarm")
        #expect(report.resources.filter(\.gone).map(\.id) == ["old-table"])
        #expect(report.accounts == [aws.account])
        #expect(report.regions == ["us-east-1"])
        #expect(report.gaps.isEmpty, "\(report.gaps)")
    }

    @Test func discoverOfOneResourceKindListsOnlyThatKind() async throws {
        let aws = try await SeededAWS.start()
        defer { aws.stop() }
        let report = try await Self.run(.discover, .s3Bucket, sources: aws.sources())
        #expect(Set(report.resources.map(\.id)) == ["gaffer-logs", "loose-uploads"], "far-bucket is in eu-west-1")
    }

    @Test func securityAuditFindsWhatIsUnsafeAndNothingThatIsSafe() async throws {
        let aws = try await SeededAWS.start()
        defer { aws.stop() }
        // A hundred days on, every access key made today is older than the 90 allowed.
        let later = ManualWallClock(Date().addingTimeInterval(100 * 86_400))
        let report = try await Self.run(.securityAudit, sources: aws.sources(), clock: later)
        let hits = Set(report.findings.map { "\($0.rule) \(Self.name($0.resource))" })
        let group = aws.ids["wide-open"] ?? "?"
        let expected: Set<String> = [
            "S3-PUBLIC-ACCESS-BLOCK loose-uploads", "S3-ENCRYPTION loose-uploads", "S3-TLS-ONLY loose-uploads",
            "SG-OPEN-ADMIN \(group)", "SG-OPEN-DATABASE \(group)",
            "RDS-PUBLIC legacy-db", "RDS-UNENCRYPTED legacy-db",
            "EBS-UNENCRYPTED \(aws.ids["plain-volume"] ?? "?")",
            "IAM-USER-NO-MFA intern", "IAM-OLD-ACCESS-KEY intern", "IAM-WILDCARD-ACTION too-wide",
            "CLOUDTRAIL-OFF *",
        ]
        #expect(expected.subtracting(hits).isEmpty, "missing: \(expected.subtracting(hits).sorted())")
        // What is safe is not reported.
        #expect(!hits.contains { $0.hasSuffix(" gaffer-logs") }, "\(hits.sorted())")
        #expect(!hits.contains("IAM-WILDCARD-ACTION just-right"))
        let open = report.findings.filter { $0.rule == "SG-OPEN-ADMIN" }
        #expect(open.count == 1 && open[0].evidence.contains("port 22 (SSH)"), "\(open)")
        #expect(report.findings.first?.severity == .critical, "worst first")
        #expect(report.findings.allSatisfy { !$0.fix.isEmpty && !$0.evidence.isEmpty })
    }

    @Test func healthCheckJudgesEachResourceFromItsEvidence() async throws {
        let aws = try await SeededAWS.start()
        defer { aws.stop() }
        let report = try await Self.run(.healthCheck, sources: aws.sources())
        let byID = Dictionary(report.resources.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byID["orders-errors"]?.health == .unhealthy)
        #expect(byID["orders-errors"]?.evidence.first?.contains("ALARM") == true)
        #expect(byID["legacy-db"]?.health == .healthy, "\(byID["legacy-db"]?.evidence ?? [])")
        #expect(byID["old-table"]?.health == .unhealthy, "gone from AWS")
        #expect(byID["gaffer-logs"]?.health == .unknown, "Gaffer reads no health signal for buckets")
        #expect(byID["orders-api"]?.health == .degraded)
        #expect(byID["orders-api"]?.evidence == ["3 errors in the last hour"])
        #expect(byID["orders-quiet"]?.health == .healthy, "\(byID["orders-quiet"]?.evidence ?? [])")
    }

    static func name(_ resource: String) -> String {
        String(resource.split(whereSeparator: { $0 == "/" || $0 == ":" }).last ?? "")
    }
}
