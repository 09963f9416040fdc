import Foundation
import GafferAgents
import GafferCore
import Testing

@Suite struct SecurityRuleTests {
    /// One template written to break each rule, and the line the finding must point at.
    static let broken: [(rule: String, line: Int, template: String)] = [
        (
            "GAFFER-S3-PUBLIC", 2,
            """
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
                DeletionPolicy: Retain
                UpdateReplacePolicy: Retain
                Properties:
                  BucketEncryption: {ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}}]}
            """
        ),
        (
            "GAFFER-ENCRYPTION", 7,
            """
            Resources:
              Db:
                Type: AWS::RDS::DBInstance
                DeletionPolicy: Snapshot
                UpdateReplacePolicy: Snapshot
                Properties:
                  StorageEncrypted: false
            """
        ),
        (
            "GAFFER-OPEN-ADMIN-PORT", 7,
            """
            Resources:
              Group:
                Type: AWS::EC2::SecurityGroup
                Properties:
                  GroupDescription: ssh
                  SecurityGroupIngress:
                    - IpProtocol: tcp
                      FromPort: 20
                      ToPort: 25
                      CidrIp: 0.0.0.0/0
            """
        ),
        (
            "GAFFER-IAM-WILDCARD", 11,
            """
            Resources:
              Role:
                Type: AWS::IAM::Role
                Properties:
                  AssumeRolePolicyDocument: {}
                  Policies:
                    - PolicyName: too-much
                      PolicyDocument:
                        Version: "2012-10-17"
                        Statement:
                          - Effect: Allow
                            Action: s3:PutObject
                            Resource: "*"
            """
        ),
        (
            "GAFFER-RDS-PUBLIC", 8,
            """
            Resources:
              Db:
                Type: AWS::RDS::DBInstance
                DeletionPolicy: Snapshot
                UpdateReplacePolicy: Snapshot
                Properties:
                  StorageEncrypted: true
                  PubliclyAccessible: true
            """
        ),
        (
            "GAFFER-EC2-IMDSV1", 2,
            """
            Resources:
              Instance:
                Type: AWS::EC2::Instance
                Properties:
                  ImageId: ami-12345678
                  BlockDeviceMappings: [{DeviceName: /dev/xvda, Ebs: {Encrypted: true}}]
            """
        ),
        (
            "GAFFER-LOG-RETENTION", 2,
            """
            Resources:
              Logs:
                Type: AWS::Logs::LogGroup
                Properties:
                  LogGroupName: forever
            """
        ),
        (
            "GAFFER-DELETION-POLICY", 2,
            """
            Resources:
              Table:
                Type: AWS::DynamoDB::Table
                Properties:
                  SSESpecification: {SSEEnabled: true}
            """
        ),
    ]

    @Test func everyRuleHasATemplateThatBreaksIt() {
        #expect(Set(Self.broken.map(\.rule)) == Set(SecurityRules.all.map(\.id)))
    }

    @Test(arguments: broken.indices)
    func eachRuleFindsWhatBreaksItAtItsLine(index: Int) throws {
        let (rule, line, template) = Self.broken[index]
        var files = FileSet()
        files.write("infra/test/template.yaml", template)
        let findings = try SecurityAgent().review(files, task: AwsTask(kind: .create, resource: nil)).all
        let finding = try #require(findings.first { $0.rule == rule }, "\(rule) found nothing in its broken template: \(findings)")
        #expect(finding.line == line, "\(rule)")
        #expect(finding.file == "infra/test/template.yaml")
        #expect(!finding.fix.isEmpty)
        #expect(findings.allSatisfy { $0.rule == rule }, "only \(rule) is broken: \(findings.map(\.rule))")
    }

    @Test func noTemplateGafferWritesHasAHighFindingUnlessAskedFor() async throws {
        for stack in try await RenderedStack.all() {
            let serious = stack.plan.findings.filter { $0.severity >= .high }
            #expect(serious.isEmpty, "\(stack.testDescription): \(serious)")
            #expect(stack.plan.handoffs == 0, "\(stack.testDescription): the shipped templates are secure without being asked")
        }
    }
}
