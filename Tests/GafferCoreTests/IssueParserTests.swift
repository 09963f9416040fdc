import GafferCore
import Testing

struct IssueParserTests {
    let parser = IssueParser()

    func parse(title: String = "", body: String, labels: [String] = ["gaffer"], author: String? = "alice", number: Int? = 40) -> IssueParseResult {
        parser.parse(IssueInput(title: title, body: body, labels: labels, author: author, number: number))
    }

    @Test func plainTitles() throws {
        let task = try #require(parse(title: "Create an S3 bucket named logs-archive in eu-west-1", body: "").task)
        #expect(
            task
                == AwsTask(
                    kind: .create,
                    resource: .s3Bucket,
                    region: "eu-west-1",
                    parameters: ["bucketName": .string("logs-archive")],
                    requester: "alice",
                    issue: 40
                )
        )
        let lambda = try #require(parse(title: "Delete lambda Resize_Images (us-east-2)", body: "").task)
        #expect(
            lambda.kind == .delete && lambda.resource == .lambdaFunction && lambda.resourceName == "Resize_Images" && lambda.region == "us-east-2"
        )
        let report = try #require(parse(title: "[gaffer] Health check for account 1234-5678-9012", body: "").task)
        #expect(report.kind == .healthCheck && report.resource == nil && report.account == "123456789012" && report.region == nil)
        let app = try #require(parse(title: "Deploy a serverless-api called orders in eu-central-1", body: "").task)
        #expect(app.resource == .application(.serverlessAPI) && app.resourceName == "orders" && app.kind == .create)
        let audit = try #require(parse(title: "Security audit of S3 buckets in eu-west-1", body: "").task)
        #expect(audit.kind == .securityAudit && audit.resource == .s3Bucket && audit.parameters.isEmpty)
    }

    @Test func formSectionsWinOverYAMLOverLinesOverLabelsOverTitle() throws {
        let body = """
            region: us-west-2
            bucketName: from-lines

            ```yaml
            region: eu-central-1
            versioning: true
            ```

            ### Region

            eu-west-1

            ### Name

            from-form
            """
        let result = parse(title: "Delete bucket from-title in ap-south-1", body: body, labels: ["gaffer", "task:create", "aws:s3Bucket"])
        let task = try #require(result.task, "\(result.problems)")
        #expect(task.kind == .create)
        #expect(task.region == "eu-west-1")
        #expect(task.parameters == ["bucketName": .string("from-form"), "versioning": .boolean(true)])
        // Every overruled value is mentioned, so nobody wonders which one Gaffer used.
        let overruled = result.warnings.map(\.message).joined(separator: "\n")
        #expect(overruled.contains("the yaml block says \"eu-central-1\""))
        #expect(overruled.contains("the title says \"delete\""))
    }

    @Test func issueFormBodyWithCheckboxesNoResponseAndSettings() throws {
        let body = """
            ### Task

            Create

            ### Resource type

            DynamoDB table

            ### Name

            orders

            ### Region

            eu-west-1

            ### AWS account

            _No response_

            ### Settings

            ```yaml
            partitionKey: orderId
            sortKey: createdAt   # when it was made
            sortKeyType: N
            billingMode: on-demand
            ```

            ### Tags

            team: data
            cost-center=4711

            ### Depends on

            #12, #15
            """
        let task = try #require(parse(body: body).task)
        #expect(task.resource == .dynamoDBTable && task.account == nil && task.dependsOn == [12, 15])
        #expect(
            task.parameters == [
                "tableName": .string("orders"), "partitionKey": .string("orderId"), "sortKey": .string("createdAt"),
                "sortKeyType": .string("N"), "billingMode": .string("PAY_PER_REQUEST"),
            ]
        )
        #expect(task.tags == ["team": "data", "cost-center": "4711"])
    }

    @Test func everyProblemAtOnceWithFieldValueRuleAndExample() {
        let body = """
            ```yaml
            bucketName: My_Bucket
            region: eu-west-9
            lifecycleDays: 0
            colour: blue
            ```
            """
        let result = parse(title: "Create bucket", body: body)
        #expect(result.task == nil)
        #expect(Set(result.problems.map(\.field)) == ["bucketName", "region", "lifecycleDays"])
        for problem in result.problems {
            #expect(problem.value != nil && !problem.rule.isEmpty && !problem.example.isEmpty)
        }
        let unknown = result.warnings.first { $0.field == "colour" }
        #expect(unknown?.message.contains("not a known field") == true)
        // A missing value is null, and says what to write.
        let missing = parse(title: "Create a bucket in eu-west-1", body: "").problems
        #expect(missing == [IssueProblem(field: "bucketName", value: nil, rule: missing.first?.rule ?? "", example: "logs-archive")])
        #expect(missing.first?.rule.contains("3–63 characters") == true)
    }

    @Test func settingsOfAnotherResourceAreNamedAsSuch() {
        let result = parse(title: "Create bucket logs-archive in eu-west-1", body: "```yaml\nmemorySize: 512\nversionin: true\n```")
        #expect(result.task != nil)
        #expect(result.warnings.contains { $0.field == "memorySize" && $0.message.contains("Lambda function") })
        #expect(result.warnings.contains { $0.field == "versionin" && $0.message.contains("did you mean versioning") })
    }

    @Test func htmlCommentsCodeFencesCRLFAndEmoji() throws {
        let body =
            "<!-- region: us-west-1 -->\r\nPlease 🙏 make it\r\n<!--\r\nbucketName: hidden\r\n-->\r\n```\r\nregion: ap-south-1\r\n```\r\nregion: eu-west-1 🇪🇺\r\nDepends on #3 and #4\r\n"
        let result = parse(title: "Create bucket logs-archive", body: body)
        // The emoji makes the region wrong: said so, not silently dropped.
        #expect(result.problems.first?.field == "region")
        let clean = body.replacingOccurrences(of: " 🇪🇺", with: "")
        let task = try #require(parse(title: "Create bucket logs-archive", body: clean).task)
        #expect(task.region == "eu-west-1" && task.resourceName == "logs-archive" && task.dependsOn == [3, 4])
    }

    @Test func dependsOnThisIssueAndBadNumbers() {
        #expect(parse(title: "Create bucket logs-archive in eu-west-1", body: "Depends on #40").problems.first?.field == "dependsOn")
        let bad = parse(title: "Create bucket logs-archive in eu-west-1", body: "### Depends on\n\n#12, twelve")
        #expect(
            bad.problems.first == IssueProblem(field: "dependsOn", value: "twelve", rule: "must be issue numbers such as #12", example: "#12, #15")
        )
    }

    @Test func labelsAndTheTriggerLabel() throws {
        let result = parse(title: "Logs archive", body: "bucketName: logs-archive\nregion: eu-west-1", labels: ["task:create", "aws:s3Bucket"])
        #expect(try #require(result.task).resource == .s3Bucket)
        #expect(result.warnings.contains { $0.field == "labels" })
        let custom = IssueParser(options: .init(triggerLabel: "ops-bot"))
        #expect(custom.isAddressedToGaffer(labels: ["OPS-BOT"]) && !custom.isAddressedToGaffer(labels: ["gaffer"]))
    }

    @Test func deleteNeedsTheBoxTicked() {
        let body = "### Resource type\n\nS3 bucket\n\n### Name\n\nlogs-archive\n\n### Region\n\neu-west-1\n\n### Confirmation\n\n- [ ] I understand"
        #expect(parse(body: body, labels: ["gaffer", "task:delete"]).problems.map(\.field) == ["confirm"])
        #expect(parse(body: body.replacingOccurrences(of: "- [ ]", with: "- [X]"), labels: ["gaffer", "task:delete"]).task?.kind == .delete)
    }

    @Test func reportsNeedNoResourceOrRegion() throws {
        let task = try #require(parse(title: "Discover", body: "### Task\n\nDiscover\n\n### Resource type\n\nAll resources").task)
        #expect(task.kind == .discover && task.resource == nil && task.region == nil)
        // A write task does need them.
        #expect(Set(parse(title: "Create", body: "").problems.map(\.field)) == ["resource", "region"])
        #expect(parse(title: "Frobnicate bucket x", body: "").problems.contains { $0.field == "kind" })
    }

    @Test func theLargestBodyGitHubAllows() throws {
        let filler = String(repeating: "🦆 words words words\n", count: 65_536 / 24)
        let body = "### Name\n\nlogs-archive\n\n### Description\n\n" + filler
        let task = try #require(parse(title: "Create bucket in eu-west-1", body: body).task)
        #expect(task.resourceName == "logs-archive")
    }

    @Test func jsonIsStableAndDocumented() throws {
        let result = parse(title: "Deploy a fastapi-ecs named shop in eu-west-1", body: "desiredCount: 3\nteam: data")
        let json = result.jsonText()
        #expect(json.contains("\"application\" : \"fastapi-ecs\""))
        #expect(json.contains("\"resource\" : \"application\""))
        #expect(json.contains("\"desiredCount\" : 3"))
        #expect(result.jsonText() == json)
        let keys = ["account", "application", "dependsOn", "issue", "kind", "parameters", "region", "requester", "resource", "tags", "warnings"]
        let positions = keys.map { json.range(of: "\n  \"\($0)\"")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil }, "every key is present")
        let problems = parse(title: "Create", body: "").jsonText()
        #expect(problems.contains("\"problems\"") && problems.contains("\"value\" : null"))
    }
}
