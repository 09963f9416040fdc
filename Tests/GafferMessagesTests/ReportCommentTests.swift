import Foundation
import GafferAgents
import GafferCore
import GafferMessages
import Testing

/// The report comment for each kind of read-only task, against golden files.
struct ReportCommentTests {
    static let at = Date(timeIntervalSince1970: 1_800_000_000)
    static let files = GafferComments.ReportFiles(json: "reports/R.json", csv: "reports/R.csv", api: "GET /reports/R.json")

    static func resource(
        _ id: String,
        _ arn: String,
        _ type: String,
        managed: Bool = false,
        gone: Bool = false,
        health: HealthVerdict = .unknown,
        _ evidence: [String] = []
    )
        -> ReportResource
    {
        var resource = ReportResource(
            id: id,
            arn: arn,
            type: type,
            region: "us-east-1",
            account: "123456789012",
            managed: managed,
            gone: gone,
            health: health,
            evidence: evidence
        )
        if managed { resource.stack = "gaffer-7-s3-\(id)" }
        return resource
    }

    static let resources = [
        resource(
            "logs",
            "arn:aws:s3:::logs",
            "AWS::S3::Bucket",
            managed: true,
            health: .unknown,
            ["Gaffer reads no health signal for AWS::S3::Bucket"]
        ),
        resource("uploads|raw", "arn:aws:s3:::uploads", "AWS::S3::Bucket"),
        resource(
            "orders",
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
            "AWS::DynamoDB::Table",
            managed: true,
            gone: true,
            health: .unhealthy,
            ["in Gaffer's registry but not found in AWS"]
        ),
        resource(
            "api",
            "arn:aws:lambda:us-east-1:123456789012:function:api",
            "AWS::Lambda::Function",
            health: .degraded,
            ["3 errors in the last hour"]
        ),
    ]

    @Test func aDiscoveryGroupsByServiceAndListsWhatIsGone() throws {
        let report = Report(kind: .discover, accounts: ["123456789012"], regions: ["us-east-1"], generatedAt: Self.at, resources: Self.resources)
        let text = try CommentTests().comments().report(report, summary: ReportSummary.line(report), files: Self.files)
        try CommentTests().expectGolden("task-report-discover", text)
        #expect(text.contains("3 resources in account 123456789012, us-east-1: 1 managed by Gaffer, 2 unmanaged, 1 gone."))
        #expect(text.contains("`uploads\\|raw`"), "a pipe in a name cannot break the table")
    }

    @Test func aHealthCheckPutsWhatNeedsAttentionFirst() throws {
        let report = Report(
            kind: .healthCheck,
            accounts: ["123456789012"],
            regions: ["us-east-1", "eu-west-1"],
            generatedAt: Self.at,
            resources: Self.resources,
            gaps: ["123456789012 eu-west-1: tagged: Resource Groups Tagging API GetResources failed: AccessDenied (HTTP 403)"]
        )
        let text = try CommentTests().comments().report(report, summary: ReportSummary.line(report), files: Self.files)
        try CommentTests().expectGolden("task-report-health", text)
        let attention = try #require(text.range(of: "**Needs attention**"))
        #expect(text[attention.upperBound...].prefix(400).contains("🔴 Unhealthy"))
    }

    @Test func anAuditShowsTheWorstAndFoldsTheRest() throws {
        let findings = [
            AuditFinding(
                severity: .critical,
                rule: "SG-OPEN-DATABASE",
                resource: "arn:aws:ec2:us-east-1:123456789012:security-group/sg-1",
                region: "us-east-1",
                account: "123456789012",
                evidence: "web allows 0.0.0.0/0 on port 5432 (PostgreSQL)",
                fix: "remove the rule"
            ),
            AuditFinding(
                severity: .high,
                rule: "S3-PUBLIC-ACCESS-BLOCK",
                resource: "arn:aws:s3:::logs",
                region: "us-east-1",
                account: "123456789012",
                evidence: "no public access block",
                fix: "turn on all four",
                managed: true
            ),
            AuditFinding(
                severity: .low,
                rule: "EBS-SNAPSHOT-UNENCRYPTED",
                resource: "arn:aws:ec2:us-east-1::snapshot/snap-1",
                region: "us-east-1",
                account: "123456789012",
                evidence: "snap-1 is not encrypted",
                fix: "copy it encrypted"
            ),
        ]
        let report = Report(kind: .securityAudit, accounts: ["123456789012"], regions: ["us-east-1"], generatedAt: Self.at, findings: findings)
        let text = try CommentTests().comments().report(report, summary: ReportSummary.line(report), files: Self.files)
        try CommentTests().expectGolden("task-report-security", text)
        #expect(text.contains("3 findings (1 critical, 1 high, 1 low)"))
        #expect(text.contains("🛠 `arn:aws:s3:::logs`"))
        let folded = try #require(text.range(of: "<details><summary>Medium and low: 1</summary>"))
        #expect(text[folded.upperBound...].contains("EBS-SNAPSHOT-UNENCRYPTED"))
        #expect(!text[..<folded.lowerBound].contains("EBS-SNAPSHOT-UNENCRYPTED"))

        let clean = Report(kind: .securityAudit, accounts: ["123456789012"], regions: ["us-east-1"], generatedAt: Self.at)
        #expect(
            try CommentTests().comments().report(clean, summary: ReportSummary.line(clean), files: nil, onIssue: false).contains(
                "Nothing unsafe was found"
            )
        )
    }

    @Test func aCostReportShowsTheSpendingThenTheProposalsLargestFirst() throws {
        let costs = CostSummary(
            start: "2027-01-01",
            end: "2027-01-31",
            totalUSD: 90,
            byService: [.init(name: "Amazon EC2", usd: 60), .init(name: "Amazon S3", usd: 30)],
            byIssue: [.init(name: "#7", usd: 75), .init(name: "untagged", usd: 15)],
            monthToDateUSD: 90,
            forecastUSD: 93,
            forecastBasis: "spent so far this month, plus the last 7 days' daily average ($3.00) for the 1 day left"
        )
        var proposals = [
            SavingsProposal(
                rule: "EC2-IDLE",
                resource: "arn:aws:ec2:us-east-1:123456789012:instance/i-1",
                region: "us-east-1",
                account: "123456789012",
                action: "stop it, or move it to a smaller type",
                evidence: "t3.large: daily average CPU at most 1.5% over 10 days",
                monthlySavingUSD: 60.74,
                managed: true
            ),
            SavingsProposal(
                rule: "EIP-UNUSED",
                resource: "arn:aws:ec2:us-east-1:123456789012:elastic-ip/eipalloc-1",
                region: "us-east-1",
                account: "123456789012",
                action: "release it",
                evidence: "3.4.5.6 is associated with nothing",
                monthlySavingUSD: 3.65
            ),
        ]
        proposals[0].id = "P1"
        proposals[1].id = "P2"
        let report = Report(
            kind: .optimizeCosts,
            accounts: ["123456789012"],
            regions: ["us-east-1"],
            generatedAt: Self.at,
            costs: costs,
            proposals: proposals
        )
        let text = try CommentTests().comments().report(report, summary: ReportSummary.line(report), files: Self.files)
        try CommentTests().expectGolden("task-report-cost", text)
        #expect(text.contains("$90.00 over the last 30 days, $93.00 forecast for this month; 2 savings proposals worth $64.39 a month"))
        #expect(text.contains("| P1 | 🛠 `arn:aws:ec2:us-east-1:123456789012:instance/i-1` |"))

        // The answers to `/approve P2` and `/approve P1`.
        let comments = try CommentTests().comments()
        let done = try comments.proposalApproved(proposals[1], approval: .done("released `3.4.5.6` (`eipalloc-1`)"), actor: "bob")
        try CommentTests().expectGolden("proposal-approved-done", done)
        #expect(done.hasPrefix("@bob approved savings proposal P2 (EIP-UNUSED on `arn:aws:ec2:us-east-1:123456789012:elastic-ip/eipalloc-1`"))
        let offered = try comments.proposalApproved(
            proposals[0],
            approval: .offered(issue: 12, created: true, taskIssue: 7, change: "instanceType: t3.small"),
            actor: "bob"
        )
        try CommentTests().expectGolden("proposal-approved-offered", offered)
        #expect(offered.contains("#7 made that resource, so the change goes through its task: #12 updates it with `instanceType: t3.small`"))
        let csv = report.csv().components(separatedBy: "\r\n")
        #expect(csv[0] == "id,rule,resource,region,account,action,monthlySavingUSD,managed,evidence")
        #expect(
            csv[1].hasPrefix(
                "P1,EC2-IDLE,arn:aws:ec2:us-east-1:123456789012:instance/i-1,us-east-1,123456789012,\"stop it, or move it to a smaller type\",60.74,true,"
            )
        )
    }

    @Test func aLongListShowsItsFirstRowsAndPointsToTheFullReport() throws {
        let many = (1...150).map { Self.resource("bucket-\($0)", "arn:aws:s3:::bucket-\($0)", "AWS::S3::Bucket") }
        let report = Report(kind: .discover, accounts: ["123456789012"], regions: ["us-east-1"], generatedAt: Self.at, resources: many)
        let text = try CommentTests().comments().report(report, summary: ReportSummary.line(report), files: Self.files)
        #expect(text.contains("`bucket-100`") && !text.contains("`bucket-101`"))
        #expect(text.contains("…and 50 more, in the full report."))
        #expect(text.contains("| s3 | 150 | 0 | 150 | 0 |"), "the counts are of every resource")
    }

    @Test func aReportIssuesStatusSaysAReportFollows() throws {
        let parsed = IssueParser().parse(IssueInput(title: "Security audit of everything", body: "", labels: ["gaffer"], author: "alice", number: 3))
        let status = try CommentTests().comments().issueParse(parsed)
        #expect(status.contains("answers with a report in the next comment (every region the account has enabled)"), "\(status)")
        #expect(!status.contains("plans the change"))
    }

    @Test func aHealthIssueSaysWhatIsWrongAndItsRecoveryClosesIt() throws {
        let alarm = Self.resource(
            "orders-errors",
            "arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-errors",
            "AWS::CloudWatch::Alarm",
            managed: true,
            health: .unhealthy,
            ["in ALARM (AWS/Lambda Errors)"]
        )
        let entry = RegisteredResource(
            arn: alarm.arn,
            resourceType: alarm.type,
            logicalID: "ErrorsAlarm",
            stack: StackKey(account: "123456789012", region: "us-east-1", name: "gaffer-3-orders-monitoring"),
            ownerAgent: .monitoring,
            costPerDayUSD: nil,
            repository: "acme/infra",
            issue: 3,
            updatedAt: Self.at
        )
        let comments = try CommentTests().comments()
        let issue = try comments.healthIssue(alarm, entry: entry, marker: "<!-- gaffer:health arn=\(alarm.arn) -->")
        try CommentTests().expectGolden("health-issue", issue)
        #expect(issue.hasPrefix("<!-- gaffer:health arn=arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-errors -->\n"))
        var service = alarm
        service.id = "web"
        service.type = "AWS::ECS::Service"
        let restarted = try comments.healthIssue(
            service,
            entry: entry,
            marker: "<!-- gaffer:health arn=x -->",
            remedy: .done("started a new deployment of `web` in `prod`, replacing its tasks", autonomy: 7, required: 5)
        )
        try CommentTests().expectGolden("health-issue-restarted", restarted)
        let held = try comments.healthIssue(
            service,
            entry: entry,
            marker: "",
            remedy: .heldBack(action: "replace its tasks", autonomy: 4, required: 5)
        )
        #expect(
            held.contains("Gaffer could replace its tasks, but its autonomy is 4, below the 5 that lets Gaffer restart it by itself, so it did not.")
        )
        #expect(!held.contains("Gaffer started"))
        let failed = try comments.healthIssue(service, entry: entry, marker: "", remedy: .failed(action: "reboot it", error: "AccessDenied"))
        #expect(failed.contains("Gaffer tried to reboot it, as its autonomy allows, and it failed: AccessDenied"))
        var healthy = alarm
        healthy.health = .healthy
        healthy.evidence = ["state OK"]
        try CommentTests().expectGolden("health-recovered", try comments.healthRecovered(healthy))
    }

    @Test func theCSVQuotesWhatWouldBreakItAndDefusesFormulas() {
        let report = Report(
            kind: .discover,
            accounts: ["1"],
            regions: ["us-east-1"],
            generatedAt: Self.at,
            resources: [
                Self.resource("a,b", "arn:aws:s3:::a", "AWS::S3::Bucket"),
                Self.resource("=cmd()", "arn:aws:s3:::c", "AWS::S3::Bucket", ["say \"hi\""]),
            ]
        )
        let lines = report.csv().components(separatedBy: "\r\n")
        #expect(lines[1].hasPrefix("s3,AWS::S3::Bucket,\"a,b\",arn:aws:s3:::a,"))
        #expect(lines[2].hasPrefix("s3,AWS::S3::Bucket,'=cmd(),"))
        #expect(lines[2].hasSuffix(",\"say \"\"hi\"\"\","), "the evidence, then no dependencies")
    }
}
