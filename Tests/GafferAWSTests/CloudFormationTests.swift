import Foundation
@testable import GafferAWS
import GafferTestSupport
import Testing

/// CloudFormation against moto with signatures checked: a stack with an S3 bucket and a
/// DynamoDB table reaches CREATE_COMPLETE through a change set, as Gaffer's `/apply` will do it.
@Suite struct CloudFormationTests {
    static let template = """
        AWSTemplateFormatVersion: "2010-09-09"
        Description: Gaffer test stack
        Parameters:
          Env:
            Type: String
        Resources:
          Artifacts:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: !Sub "gaffer-${Env}-artifacts"
          Jobs:
            Type: AWS::DynamoDB::Table
            Properties:
              TableName: !Sub "gaffer-${Env}-jobs"
              BillingMode: PAY_PER_REQUEST
              AttributeDefinitions:
                - AttributeName: id
                  AttributeType: S
              KeySchema:
                - AttributeName: id
                  KeyType: HASH
        Outputs:
          BucketName:
            Value: !Ref Artifacts
        """

    @Test func aStackThroughAChangeSetToCreateComplete() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let client = try moto.client()
        let cloudFormation = CloudFormation(client)

        let summary = try await cloudFormation.validateTemplate(body: Self.template)
        #expect(summary.description == "Gaffer test stack")  // moto lists no parameters here
        let invalid = try await #require(throws: AWSServiceError.self) { try await cloudFormation.validateTemplate(body: "Resources: [unclosed") }
        #expect(invalid.code == "ValidationError")

        var input = CloudFormation.StackInput(stackName: "gaffer-test", templateBody: Self.template)
        input.parameters = ["Env": "test"]
        input.tags = ["managed-by": "gaffer"]
        let changeSetID = try await cloudFormation.createChangeSet(input, name: "gaffer-1", type: "CREATE", description: "issue #12")
        #expect(changeSetID.contains(":changeSet/gaffer-1/"))
        var changeSet = try await cloudFormation.describeChangeSet("gaffer-1", stackName: "gaffer-test")
        try await waitUntil("the change set to be created") {
            changeSet = try await cloudFormation.describeChangeSet("gaffer-1", stackName: "gaffer-test")
            return changeSet.status == "CREATE_COMPLETE"
        }
        #expect(changeSet.executionStatus == "AVAILABLE")
        #expect(changeSet.changes.map(\.logicalResourceID).sorted() == ["Artifacts", "Jobs"])
        #expect(changeSet.changes.allSatisfy { $0.action == "Add" })

        try await cloudFormation.executeChangeSet("gaffer-1", stackName: "gaffer-test")
        var stack: CloudFormation.Stack?
        try await waitUntil("the stack to be created") {
            stack = try await cloudFormation.describeStacks(name: "gaffer-test").first
            return stack?.status == "CREATE_COMPLETE"
        }
        #expect(stack?.parameters == ["Env": "test"])
        #expect(stack?.tags == ["managed-by": "gaffer"])

        let resources = try await cloudFormation.describeStackResources("gaffer-test")
        #expect(
            Dictionary(uniqueKeysWithValues: resources.map { ($0.logicalResourceID, $0.resourceType) })
                == ["Artifacts": "AWS::S3::Bucket", "Jobs": "AWS::DynamoDB::Table"]
        )
        #expect(resources.allSatisfy { $0.status == "CREATE_COMPLETE" })
        let events = try await cloudFormation.describeStackEvents("gaffer-test")
        #expect(events.contains { $0.logicalResourceID == "gaffer-test" && $0.status == "CREATE_COMPLETE" })
        #expect(try await cloudFormation.getTemplate("gaffer-test") == Self.template)

        // The resources are really there, seen through their own services.
        #expect(try await S3(client).bucketExists("gaffer-test-artifacts"))
        #expect(try await DynamoDB(client).describeTable("gaffer-test-jobs").tableStatus == "ACTIVE")

        // An update through a second change set, then the change set dropped instead of run.
        input.parameters = ["Env": "test2"]
        _ = try await cloudFormation.createChangeSet(input, name: "gaffer-2", type: "UPDATE")
        try await cloudFormation.deleteChangeSet("gaffer-2", stackName: "gaffer-test")
        let gone = try await #require(throws: AWSServiceError.self) {
            try await cloudFormation.describeChangeSet("gaffer-2", stackName: "gaffer-test")
        }
        #expect(["ChangeSetNotFound", "ValidationError"].contains(gone.code))  // AWS says the first, moto the second
    }

    @Test func stacksCreatedUpdatedAndDeletedDirectly() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let cloudFormation = CloudFormation(try moto.client(), region: "eu-west-1")
        var input = CloudFormation.StackInput(stackName: "gaffer-direct", templateBody: Self.template)
        input.parameters = ["Env": "direct"]
        let id = try await cloudFormation.createStack(input, onFailure: "DELETE")
        #expect(id.hasPrefix("arn:aws:cloudformation:eu-west-1:123456789012:stack/gaffer-direct/"))
        // moto fills in outputs for stacks made directly (not for those made through a change set).
        #expect(try await cloudFormation.describeStacks(name: "gaffer-direct").first?.outputs == ["BucketName": "gaffer-direct-artifacts"])
        input.parameters = ["Env": "direct2"]
        #expect(try await cloudFormation.updateStack(input) == id)
        try await waitUntil("the update") { try await cloudFormation.describeStacks(name: "gaffer-direct").first?.parameters["Env"] == "direct2" }
        try await cloudFormation.deleteStack("gaffer-direct")
        let stacks = try await cloudFormation.describeStacks()
        #expect(stacks.allSatisfy { $0.stackName != "gaffer-direct" || $0.status == "DELETE_COMPLETE" })
    }
}

/// DescribeChangeSet as AWS answers it with IncludePropertyValues: replacement, scope and each property's values.
struct ChangeSetDescriptionTests {
    static let answer = """
        <DescribeChangeSetResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
          <DescribeChangeSetResult>
            <ChangeSetId>arn:aws:cloudformation:us-east-1:123456789012:changeSet/c1/1</ChangeSetId>
            <StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/s1/2</StackId>
            <Status>CREATE_COMPLETE</Status>
            <ExecutionStatus>AVAILABLE</ExecutionStatus>
            <Changes>
              <member>
                <Type>Resource</Type>
                <ResourceChange>
                  <Action>Modify</Action>
                  <LogicalResourceId>Bucket</LogicalResourceId>
                  <PhysicalResourceId>logs</PhysicalResourceId>
                  <ResourceType>AWS::S3::Bucket</ResourceType>
                  <Replacement>True</Replacement>
                  <Scope><member>Properties</member><member>Tags</member></Scope>
                  <Details>
                    <member>
                      <Target>
                        <Attribute>Properties</Attribute>
                        <Name>BucketName</Name>
                        <RequiresRecreation>Always</RequiresRecreation>
                        <BeforeValue>logs</BeforeValue>
                        <AfterValue>logs-archive</AfterValue>
                      </Target>
                      <Evaluation>Static</Evaluation>
                      <ChangeSource>DirectModification</ChangeSource>
                    </member>
                  </Details>
                </ResourceChange>
              </member>
              <member>
                <Type>Resource</Type>
                <ResourceChange>
                  <Action>Remove</Action>
                  <LogicalResourceId>Policy</LogicalResourceId>
                  <ResourceType>AWS::S3::BucketPolicy</ResourceType>
                  <Scope/>
                  <Details/>
                </ResourceChange>
              </member>
            </Changes>
          </DescribeChangeSetResult>
        </DescribeChangeSetResponse>
        """

    @Test func replacementsAndPropertyValuesAreRead() throws {
        let root = try XMLNode.parse(Data(Self.answer.utf8))
        let changeSet = CloudFormation.changeSet(from: try #require(root["DescribeChangeSetResult"]))
        #expect(changeSet.executionStatus == "AVAILABLE" && changeSet.changes.count == 2)
        let bucket = changeSet.changes[0]
        #expect(bucket.replacement == "True" && bucket.scope == ["Properties", "Tags"] && bucket.physicalResourceID == "logs")
        #expect(
            bucket.details == [
                CloudFormation.ChangeDetail(
                    attribute: "Properties", name: "BucketName", requiresRecreation: "Always", beforeValue: "logs", afterValue: "logs-archive",
                    changeSource: "DirectModification"
                )
            ]
        )
        #expect(changeSet.changes[1].action == "Remove" && changeSet.changes[1].details.isEmpty)
    }
}
