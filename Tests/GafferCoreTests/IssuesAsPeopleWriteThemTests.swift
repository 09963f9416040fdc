import GafferCore
import Testing

/// Issues as new users write them: prose, their own forms, AWS ids, no task word.
struct IssuesAsPeopleWriteThemTests {
    func parse(title: String = "", _ body: String) -> IssueParseResult {
        IssueParser().parse(IssueInput(title: title, body: body, labels: ["gaffer"], author: "dana", number: 7))
    }

    @Test(
        "18: a first paragraph of prose gives the kind, the resource, the name and the region when the title does not",
        arguments: [
            (
                "Could we get a Lambda function named resize-images in eu-west-2?\n\nruntime: python3.12", TaskKind.create,
                ResourceKind.lambdaFunction, "resize-images", "eu-west-2"
            ),
            ("Set up an SNS topic called billing-alerts in us-east-1, please.", .create, .snsTopic, "billing-alerts", "us-east-1"),
            (
                "Please delete the DynamoDB table named old-sessions in eu-central-1.\nThanks!", .delete, .dynamoDBTable, "old-sessions",
                "eu-central-1"
            ),
        ]
    )
    func proseIsReadLikeATitle(_ body: String, _ kind: TaskKind, _ resource: ResourceKind, _ name: String, _ region: String) throws {
        let task = try #require(parse(title: "Request from the data team", body).task, "\(parse(title: "Request from the data team", body))")
        #expect(task.kind == kind && task.resource == resource && task.resourceName == name && task.region == region)
    }

    @Test("18: the title wins over the prose, and prose under a form's description is not read")
    func titleFirst() throws {
        let task = try #require(
            parse(title: "Create an SNS topic named alerts in eu-west-1", "Set up an SNS topic called other-name in us-east-1.").task
        )
        #expect(task.resourceName == "alerts" && task.region == "eu-west-1")
        let form =
            "### Task\n\nCreate\n\n### Resource type\n\nSNS topic\n\n### Name\n\nalerts\n\n### Region\n\neu-west-1\n\n### Description\n\nDelete the bucket named x in us-east-1"
        let fromForm = try #require(parse(form).task)
        #expect(fromForm.kind == .create && fromForm.resource == .snsTopic)
    }

    @Test(
        "19: an organisation's own form: unknown labels with unambiguous answers, and common label variants",
        arguments: [
            "### What do you need?\n\nCreate\n\n### Which AWS service?\n\nS3 bucket\n\n### Name\n\nlogs-archive\n\n### Where?\n\neu-west-1",
            "### Request type\n\nCreate\n\n### Type of resource\n\nS3 bucket\n\n### Name\n\nlogs-archive\n\n### AWS region\n\neu-west-1",
            "### Operation\n\nCreate\n\n### Service\n\nS3 bucket\n\n### Name\n\nlogs-archive\n\n### Target region\n\neu-west-1\n\n### Cost center approval\n\n123456789012",
        ]
    )
    func ownForms(_ body: String) throws {
        let result = parse(body)
        let task = try #require(result.task, "\(result)")
        #expect(task.kind == .create && task.resource == .s3Bucket && task.resourceName == "logs-archive" && task.region == "eu-west-1")
    }

    @Test("19: an answer that says more than a kind, a resource or a region stays a field of its own")
    func ambiguousAnswersAreNotGuessed() {
        let result = parse(
            "### Team\n\nDelete the platform team's bucket\n\n### Resource\n\nS3 bucket\n\n### Name\n\nlogs\n\n### Region\n\neu-west-1"
        )
        // Not a delete: the answer under "Team" says more than a task word, so it is a field (unknown), not the kind.
        #expect(result.task?.kind == .create, "\(result)")
        #expect(result.warnings.contains { $0.field == "Team" } && result.warnings.contains { $0.field == "kind" }, "\(result.warnings)")
    }

    @Test("20: an EC2 instance or a VPC to update or delete may be named by its AWS id")
    func awsIDs() throws {
        let delete = try #require(parse(title: "Delete EC2 instance i-0abcdef1234567890 in eu-west-1", "").task)
        #expect(
            delete.kind == .delete && delete.parameters["instanceId"] == .string("i-0abcdef1234567890") && delete.parameters["instanceName"] == nil
        )
        #expect(delete.resourceName == "i-0abcdef1234567890")
        let update = try #require(parse(title: "Update EC2 instance in us-east-1", "instanceId: i-0abcdef1\ninstanceType: t3.large").task)
        #expect(update.parameters["instanceId"] == .string("i-0abcdef1") && update.parameters["instanceType"] == .string("t3.large"))
        let vpc = try #require(parse(title: "Delete VPC vpc-0abcdef1234567890 in eu-west-1", "").task)
        #expect(vpc.parameters["vpcId"] == .string("vpc-0abcdef1234567890"))
        // A create still needs a name: an id names something that already exists.
        #expect(
            parse(title: "Create EC2 instance i-0abcdef1234567890 in eu-west-1", "instanceType: t3.micro\nimageId: ami-0abcdef1234567890").task == nil
        )
    }

    @Test("21: no task word, but everything a create needs: read as a create, with a warning saying so")
    func noVerb() throws {
        let result = parse(title: "S3 bucket logs-archive in eu-west-1", "versioning: true")
        let task = try #require(result.task, "\(result)")
        #expect(task.kind == .create && task.resourceName == "logs-archive")
        #expect(result.warnings.contains { $0.field == "kind" && $0.message.contains("read as a create") })
        // Without what a create needs, the missing task word is still the problem named.
        let lacking = parse(title: "Lambda function resize-images in eu-west-1", "")
        #expect(lacking.task == nil && lacking.problems.map(\.field) == ["kind"], "\(lacking)")
    }
}
