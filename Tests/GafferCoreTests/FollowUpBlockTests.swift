import GafferCore
import Testing

/// Changes asked for on a task's pull request, kept in a block of the task's issue that wins over the rest of it.
@Suite struct FollowUpBlockTests {
    let parser = IssueParser()
    /// An issue as the S3 form writes it, versioning off.
    static let formBody = """
        ### Task

        Create

        ### Resource

        S3 bucket

        ### Name

        logs-archive

        ### Region

        eu-west-1

        ### Settings

        ```yaml
        versioning: false
        lifecycleDays: 30
        ```
        """

    func task(_ body: String) throws -> AwsTask {
        let result = parser.parse(IssueInput(title: "", body: body, labels: ["gaffer"], author: "alice", number: 7))
        return try #require(result.task, "\(result.problems)")
    }

    @Test func aFollowUpWinsOverTheFormWithoutAWarningAndLeavesTheRestAsItWas() throws {
        let before = try task(Self.formBody)
        #expect(before.parameters["versioning"] == .boolean(false))
        let body = FollowUpBlock.applying([("versioning", "true")], to: Self.formBody)
        #expect(body.hasPrefix(Self.formBody), "the person's text is kept as written")
        let result = parser.parse(IssueInput(title: "", body: body, labels: ["gaffer"], author: "alice", number: 7))
        let after = try #require(result.task)
        #expect(after.parameters["versioning"] == .boolean(true))
        #expect(after.parameters["lifecycleDays"] == .integer(30))
        #expect(after.resourceName == "logs-archive" && after.region == "eu-west-1")
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        // Read back as the changes it holds, and undone by taking the block out.
        #expect(FollowUpBlock.changes(in: body).map(\.key) == ["versioning"])
        #expect(try task(body.replacingOccurrences(of: "versioning: true", with: "")).parameters["versioning"] == .boolean(false))
    }

    @Test func aLaterChangeReplacesAnEarlierOneInPlaceAndANewKeyIsAdded() throws {
        var body = FollowUpBlock.applying([("versioning", "true")], to: Self.formBody)
        body = FollowUpBlock.applying([("lifecycle_days", "90"), ("versioning", "false")], to: body)
        body = FollowUpBlock.applying([("versioning", "true")], to: body)
        #expect(body.components(separatedBy: "<!-- gaffer:follow-ups -->").count == 2, "one block")
        #expect(FollowUpBlock.changes(in: body).map(\.key) == ["versioning", "lifecycle_days"])
        let task = try task(body)
        #expect(task.parameters["versioning"] == .boolean(true) && task.parameters["lifecycleDays"] == .integer(90))
    }

    @Test func aValueThatBreaksTheRulesIsAProblemNotAGuess() {
        let body = FollowUpBlock.applying([("lifecycleDays", "forever")], to: Self.formBody)
        let result = parser.parse(IssueInput(title: "", body: body, labels: ["gaffer"], author: "alice", number: 7))
        #expect(result.task == nil)
        #expect(result.problems.contains { $0.description.contains("forever") }, "\(result.problems)")
    }

    @Test func aMultiLineValueSurvivesTheBlock() throws {
        let text = "Asked for on the pull request by alice: list orders\nby customer, newest first: \"with\" quotes # and a hash"
        let body = FollowUpBlock.applying([("behaviour", text)], to: "title line\n")
        #expect(FollowUpBlock.changes(in: body).first?.value == text)
    }

    @Test func whatATaskIsCannotBeAFollowUpButItsSettingsAndTagsCan() {
        #expect(
            FollowUpBlock.identityKeys(among: ["versioning", "name", "Region", "kind", "resource", "tags", "bucket_name"]) == [
                "name", "Region", "kind", "resource", "bucket_name",
            ]
        )
        #expect(
            FollowUpBlock.fields(inComment: " please set\nversioning: true\nlifecycle days: 90\nand also: this").map(\.key) == [
                "versioning", "lifecycle days",
            ]
        )
        #expect(FollowUpBlock.fields(inComment: " make the bucket versioned please").isEmpty)
    }
}
