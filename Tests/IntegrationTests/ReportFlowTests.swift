import AsyncHTTPClient
import Foundation
import GafferAWS
import GafferApp
import GafferCore
import GafferGitHub
import GafferTestSupport
import Logging
import Testing

/// Read-only tasks end to end: an issue on the GitHub sandbox, Gaffer reading moto, the report in
/// its comment, its files served by the API, and the registry brought up to date.
@Suite(.serialized)
struct ReportFlowTests {
    @Test func aDiscoveryIssueIsAnsweredWithAReportAndTheRegistryLearnsWhatIsGone() async throws {
        let story = try await ChangeFlowTests.Story.start()
        defer { story.stop() }
        let aws = try story.aws()
        try await S3(aws).createBucket("shared-assets")
        try await S3(aws).createBucket("gaffer-made")
        let account = try await STS(aws).getCallerIdentity().account
        let stack = StackKey(account: account, region: "us-east-1", name: "gaffer-3-s3-gaffer-made")
        let store = story.gaffer.server.store
        func entry(_ arn: String, _ type: String) -> RegisteredResource {
            RegisteredResource(
                arn: arn,
                resourceType: type,
                logicalID: "R",
                stack: stack,
                ownerAgent: .infrastructure,
                costPerDayUSD: nil,
                repository: "acme/web",
                issue: 3,
                updatedAt: Date()
            )
        }
        let goneARN = ResourceARN.of(type: "AWS::DynamoDB::Table", physicalID: "gone-table", account: account, region: "us-east-1")
        try await store.register([entry("arn:aws:s3:::gaffer-made", "AWS::S3::Bucket"), entry(goneARN, "AWS::DynamoDB::Table")])

        let issue = try await story.sandbox.openIssue("Discover all resources in us-east-1", as: story.alice)
        try await waitUntil(timeout: .seconds(60), "the report comment") { try await story.comment("report", on: issue.number) != nil }
        try await story.gaffer.settle()
        let report = try #require(try await story.comment("report", on: issue.number))
        #expect(report.contains("### Discovery of \(account) in us-east-1"))
        #expect(report.contains("1 managed by Gaffer"), "\(report)")
        #expect(report.contains("1 gone"))
        #expect(report.contains("`shared-assets`"))
        #expect(report.contains("`gone-table`"))
        #expect(report.contains("Read-only: nothing in AWS was changed."))
        #expect(try await story.comment("status", on: issue.number)?.contains("Discover") == true)

        let registry = Dictionary(try await store.registeredResources().map { ($0.arn, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(registry["arn:aws:s3:::gaffer-made"]?.lastSeenAt != nil)
        #expect(registry["arn:aws:s3:::gaffer-made"]?.goneSince == nil)
        #expect(registry[goneARN]?.goneSince != nil)

        // The whole report, as the comment links it.
        let id = try #require(report.firstMatch(of: /GET \/reports\/([0-9A-F-]+)\.json/)?.1)
        let (status, json) = try await HTTPClient.shared.api(.GET, "/reports/\(id).json", port: story.gaffer.port)
        #expect(status == 200)
        let resources = try #require(json["resources"] as? [[String: Any]])
        #expect(resources.contains { $0["id"] as? String == "gaffer-made" && $0["managed"] as? Bool == true })
        #expect(resources.contains { $0["id"] as? String == "shared-assets" && $0["managed"] as? Bool == false })
        #expect(resources.contains { $0["id"] as? String == "gone-table" && $0["gone"] as? Bool == true })
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(story.gaffer.port)/reports/\(id).csv")
        let refused = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(refused.status.code == 401, "the reports are behind the API token")
        request.headers.add(name: "Authorization", value: "Bearer \(TestConfiguration.apiToken.revealed)")
        let csv = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let text = String(buffer: try await csv.body.collect(upTo: 1 << 20))
        #expect(text.hasPrefix("service,type,id,arn,region,account,managed,gone,health,evidence,dependsOn\r\n"))
        #expect(text.contains("s3,AWS::S3::Bucket,shared-assets,"))

        // Asked again (the issue edited into a health check), the one report comment is rewritten.
        _ = try await story.alice.updateIssue(issue.number, in: story.repository, title: "Health check of all resources in us-east-1")
        try await waitUntil(timeout: .seconds(60), "the health report") {
            try await story.comment("report", on: issue.number)?.contains("### Health check") == true
        }
        try await story.gaffer.settle()
        #expect(try await story.sandbox.gafferComments("report", on: issue.number, as: story.alice).count == 1)
        let health = try #require(try await story.comment("report", on: issue.number))
        #expect(health.contains("🔴 Unhealthy"), "\(health)")
        #expect(try await store.registeredResources().first { $0.arn == goneARN }?.health == "Unhealthy")
    }

    @Test func theScheduledHealthCheckOpensOneIssueForAnUnhealthyResourceAndClosesItOnRecovery() async throws {
        let story = try await ChangeFlowTests.Story.start()
        defer { story.stop() }
        let aws = try story.aws()
        let account = try await STS(aws).getCallerIdentity().account
        // An alarm Gaffer made, in ALARM.
        _ = try await aws.query(
            .cloudWatch,
            "PutMetricAlarm",
            [
                ("AlarmName", "orders-errors"), ("Namespace", "AWS/Lambda"), ("MetricName", "Errors"), ("Statistic", "Sum"), ("Period", "60"),
                ("EvaluationPeriods", "1"), ("Threshold", "1"), ("ComparisonOperator", "GreaterThanOrEqualToThreshold"),
            ]
        )
        func setAlarm(_ state: String) async throws {
            _ = try await aws.query(.cloudWatch, "SetAlarmState", [("AlarmName", "orders-errors"), ("StateValue", state), ("StateReason", "test")])
        }
        try await setAlarm("ALARM")
        let arn = try #require(try await CloudWatch(aws).describeAlarms(names: ["orders-errors"]).first?.arn)
        try await story.gaffer.server.store.register([
            RegisteredResource(
                arn: arn,
                resourceType: "AWS::CloudWatch::Alarm",
                logicalID: "ErrorsAlarm",
                stack: StackKey(account: account, region: "us-east-1", name: "gaffer-3-orders-monitoring"),
                ownerAgent: .monitoring,
                costPerDayUSD: nil,
                repository: "acme/web",
                issue: 3,
                updatedAt: Date()
            )
        ])
        let watch = HealthWatch(reports: try #require(story.gaffer.server.reports), github: try #require(story.gaffer.server.github))
        let logger = Logger(label: "health")

        let first = try await watch.check(logger: logger)
        #expect(first.opened.count == 1 && first.closed.isEmpty, "\(first)")
        let issues = try await story.alice.issues(labeled: [HealthWatch.label], in: story.repository)
        #expect(issues.count == 1)
        let issue = try #require(issues.first)
        #expect(issue.title == "Unhealthy: orders-errors (AWS::CloudWatch::Alarm) in us-east-1")
        #expect(issue.body?.contains("in ALARM") == true, "\(issue.body ?? "")")
        #expect(issue.body?.contains("`gaffer-3-orders-monitoring`") == true)

        // Still unhealthy at the next check: the issue is found again by its marker, never opened twice.
        #expect(try await watch.check(logger: logger) == HealthWatch.Outcome())
        #expect(try await story.alice.issues(labeled: [HealthWatch.label], in: story.repository).count == 1)

        try await setAlarm("OK")
        let recovered = try await watch.check(logger: logger)
        #expect(recovered.closed == ["acme/web#\(issue.number)"] && recovered.opened.isEmpty)
        #expect(try await story.alice.issue(issue.number, in: story.repository).state == "closed")
        let comments = try await story.alice.comments(onIssue: issue.number, in: story.repository)
        #expect(
            comments.last?.body?.hasPrefix("Recovered: the scheduled health check finds `orders-errors` 🟢 Healthy") == true,
            "\(comments.last?.body ?? "")"
        )
        #expect(try await watch.check(logger: logger) == HealthWatch.Outcome(), "closed once")
    }

    @Test func aSecurityFixForABucketGafferMadeIsOfferedAsAPullRequestAndAppliedOnlyAfterApproval() async throws {
        let story = try await ChangeFlowTests.Story.start()
        defer { story.stop() }
        // A bucket Gaffer made with its public access block off, as its task asked.
        let made = try await story.openTask("Create an S3 bucket named open-site in us-east-1", body: "blockPublicAccess: false")
        #expect(try await ChangeFlowTests().approveAndApply(made.pull.number, in: story).contains(": applied"))

        let audit = try await story.sandbox.openIssue("Security audit of S3 buckets in us-east-1", as: story.alice)
        try await waitUntil(timeout: .seconds(120), "the audit") { try await story.comment("report", on: audit.number) != nil }
        try await story.gaffer.settle()
        let report = try #require(try await story.comment("report", on: audit.number))
        #expect(report.contains("🛠 `arn:aws:s3:::open-site`"), "\(report)")
        let offered = try #require(report.firstMatch(of: /- #(\d+): Fix S3-PUBLIC-ACCESS-BLOCK on S3 bucket open-site/), "\(report)")
        let fix = try #require(Int(offered.1))

        // The fix is a task like any other: its pull request, its pipeline, its plan.
        let (pull, _) = try await story.pullRequest(of: fix, resource: "s3-bucket")

        // Applied only after a person approves it.
        let refused = try #require(try await story.say("/apply", on: pull.number, as: story.alice))
        #expect(refused.contains("approve"), "\(refused)")
        let applied = try await ChangeFlowTests().approveAndApply(pull.number, in: story)
        #expect(applied.contains(": applied"), "\(applied)")
        let template = try await CloudFormation(try story.aws(), region: "us-east-1").getTemplate("gaffer-s3-bucket-open-site")
        #expect(template.contains("PublicAccessBlockConfiguration"))

        // Audited again, the fix is not offered twice: the task now asks for the block.
        _ = try await story.alice.updateIssue(audit.number, in: story.repository, body: "Run it again.")
        try await waitUntil(timeout: .seconds(120), "the second audit") {
            try await story.comment("report", on: audit.number)?.contains("Fixes offered") == false
        }
        #expect(try await story.alice.issues(labeled: ["gaffer"], in: story.repository).filter { $0.title.hasPrefix("Fix ") }.count <= 1)
    }

    @Test func aSecurityAuditIssueListsFindingsWithTheirFixes() async throws {
        let story = try await ChangeFlowTests.Story.start()
        defer { story.stop() }
        let aws = try story.aws()
        try await S3(aws).createBucket("open-bucket")
        let issue = try await story.sandbox.openIssue("Security audit of S3 buckets in us-east-1", as: story.alice)
        try await waitUntil(timeout: .seconds(60), "the audit") { try await story.comment("report", on: issue.number) != nil }
        let audit = try #require(try await story.comment("report", on: issue.number))
        #expect(audit.contains("### Security audit of"))
        #expect(audit.contains("`S3-PUBLIC-ACCESS-BLOCK`"))
        #expect(audit.contains("`arn:aws:s3:::open-bucket`"))
        #expect(audit.contains("turn on all four public access block settings"))
    }

    @Test func aSavingsProposalIsActedOnOnlyWhenAPersonApprovesItsID() async throws {
        // The cost report reads Lambda, whose signatures moto checks wrongly (see ServiceOperationsTests).
        let story = try await ChangeFlowTests.Story.start(authenticated: false)
        defer { story.stop() }
        let aws = try story.aws()
        // A table Gaffer made with far more capacity than it uses, and a volume nobody made through Gaffer.
        let made = try await story.openTask(
            "Create a DynamoDB table named orders in us-east-1",
            body: "partitionKey: id\nbillingMode: PROVISIONED\nreadCapacityUnits: 50\nwriteCapacityUnits: 50",
            resource: "dynamodb-table"
        )
        #expect(try await ChangeFlowTests().approveAndApply(made.pull.number, in: story).contains(": applied"))
        try await MetricSeeding.putDaily(aws, "AWS/DynamoDB", "ConsumedReadCapacityUnits", ("TableName", "orders"), 86_400)
        try await MetricSeeding.putDaily(aws, "AWS/DynamoDB", "ConsumedWriteCapacityUnits", ("TableName", "orders"), 43_200)
        let volume = try #require(
            try await aws.query(.ec2, "CreateVolume", [("AvailabilityZone", "us-east-1a"), ("Size", "100"), ("VolumeType", "gp3")]).string("volumeId")
        )
        let ec2 = EC2(aws, region: "us-east-1")

        let issue = try await story.sandbox.openIssue("Optimize costs in us-east-1", as: story.alice)
        try await waitUntil(timeout: .seconds(120), "the cost report") { try await story.comment("report", on: issue.number) != nil }
        try await story.gaffer.settle()
        let report = try #require(try await story.comment("report", on: issue.number))
        let tableRow = try #require(report.firstMatch(of: /\| (P\d+) \| 🛠 `arn:aws:dynamodb:[^`]*:table\/orders` \|/), "\(report)")
        let volumeRow = try #require(report.firstMatch(of: /\| (P\d+) \| `arn:aws:ec2:[^`]*:volume\/vol-[0-9a-f]+` \|/), "\(report)")
        let (table, loose) = (String(tableRow.1), String(volumeRow.1))
        #expect(report.contains("comments `/approve P1` (its id) here"))
        #expect(try await ec2.describeVolumes(ids: [volume]).count == 1, "a report acts on nothing")

        // The person who asked for the report is not the second person; an id the report lacks is named as such.
        let own = try #require(try await story.say("/approve \(loose)", on: issue.number, as: story.alice))
        #expect(own.contains("cannot approve"), "\(own)")
        let unknown = try #require(try await story.say("/approve P99", on: issue.number, as: story.bob))
        #expect(unknown.contains("has no proposal P99"), "\(unknown)")
        #expect(try await ec2.describeVolumes(ids: [volume]).count == 1)

        // A volume Gaffer did not make: the approval does what the row says, keeping a snapshot.
        let deleted = try #require(try await story.say("/approve \(loose) nobody uses it", on: issue.number, as: story.bob))
        #expect(deleted.contains("@bob approved savings proposal \(loose) (EBS-UNATTACHED"), "\(deleted)")
        #expect(deleted.contains("Gaffer deleted `\(volume)` after taking snapshot `snap-"), "\(deleted)")
        #expect(try await ec2.describeVolumes().contains { $0.volumeID == volume } == false)

        // A table Gaffer made: the change goes through its task, planned in a pull request and applied only after approval.
        let offered = try #require(try await story.say("/approve \(table)", on: issue.number, as: story.bob))
        let change = try #require(
            offered.firstMatch(of: /#(\d+) updates it with `readCapacityUnits: 2, writeCapacityUnits: 1`/).flatMap { Int($0.1) },
            "\(offered)"
        )
        let (pull, _) = try await story.pullRequest(of: change, resource: "dynamodb-table")
        // Approved twice, the change is the same issue, not a second one.
        let again = try #require(try await story.say("/approve \(table)", on: issue.number, as: story.bob))
        #expect(again.contains("#\(change) already updates it"), "\(again)")

        let cloudFormation = CloudFormation(aws, region: "us-east-1")
        let stack = "gaffer-dynamodb-table-orders"
        #expect(try await cloudFormation.getTemplate(stack).contains("ReadCapacityUnits: 50"), "planned, not applied")
        #expect(try await ChangeFlowTests().approveAndApply(pull.number, in: story).contains(": applied"))
        // moto's CloudFormation cannot update a table in place, so the stack's template is what shows the change.
        let applied = try await cloudFormation.getTemplate(stack)
        #expect(applied.contains("ReadCapacityUnits: 2\n") && applied.contains("WriteCapacityUnits: 1\n"), "\(applied)")

        let decisions = try await story.gaffer.server.store.knowledge(kind: .decision, matching: "savings proposal", limit: 10)
        #expect(
            decisions.contains {
                $0.summary.hasPrefix("bob approved savings proposal \(loose) (EBS-UNATTACHED)") && $0.summary.hasSuffix(": nobody uses it")
            }
        )
    }

    @Test func anUnhealthyServiceIsRestartedOnceAndOnlyWhenItsAutonomyAllows() async throws {
        let story = try await ChangeFlowTests.Story.start()
        defer { story.stop() }
        let aws = try story.aws()
        let account = try await STS(aws).getCallerIdentity().account
        // A service Gaffer made that runs none of its 2 tasks (moto runs none).
        let service = try await ECSFixture.service(aws, cluster: "prod", name: "web", desired: 2)
        try await story.gaffer.server.store.register([
            RegisteredResource(
                arn: service,
                resourceType: "AWS::ECS::Service",
                logicalID: "Service",
                stack: StackKey(account: account, region: "us-east-1", name: "gaffer-app-web"),
                ownerAgent: .infrastructure,
                costPerDayUSD: nil,
                repository: "acme/web",
                issue: 3,
                updatedAt: Date()
            )
        ])
        let ecs = ECS(aws, region: "us-east-1")
        func deployment() async throws -> String? { try await ecs.describeServices([service], cluster: "prod").first?.deployments?.first?.id }
        func openIssue() async throws -> GitHubIssueDetails? {
            try await story.alice.issues(labeled: [HealthWatch.label], in: story.repository).first
        }
        let reports = try #require(story.gaffer.server.reports)
        let github = try #require(story.gaffer.server.github)
        let actions = try #require(story.gaffer.server.work?.actions)
        let logger = Logger(label: "health")
        let first = try await deployment()

        // ECS services have autonomy 7: below a required 8, Gaffer only says what it would do.
        let cautious = HealthWatch(reports: reports, github: github, actions: actions, requiredLevel: 8)
        #expect(try await cautious.check(logger: logger).opened.count == 1)
        let held = try #require(try await openIssue())
        #expect(held.body?.contains("Gaffer could replace its tasks, but its autonomy is 7, below the 8") == true, "\(held.body ?? "")")
        #expect(try await deployment() == first)

        // A person closes it; at the default level (5) the next pass opens a new issue and restarts the service, once.
        _ = try await story.alice.updateIssue(held.number, in: story.repository, state: "closed")
        let watch = HealthWatch(reports: reports, github: github, actions: actions, requiredLevel: 5)
        #expect(try await watch.check(logger: logger).opened.count == 1)
        let restarted = try #require(try await openIssue())
        #expect(
            restarted.body?.contains(
                "Gaffer started a new deployment of `web` in `prod`, replacing its tasks: its autonomy is 7, at or above the 5"
            ) == true,
            "\(restarted.body ?? "")"
        )
        let second = try await deployment()
        #expect(second != first)
        #expect(try await watch.check(logger: logger) == HealthWatch.Outcome(), "still unhealthy: the same issue")
        #expect(try await deployment() == second, "restarted once per issue, not at every pass")
    }
}
