import Foundation
import GafferAWS
import GafferApp
import GafferCore
import GafferTestSupport
import Synchronization
import Testing

/// A parameter set outside Gaffer (the image tag a release rolled out) is kept by Gaffer's next
/// plan of the same stack (`UsePreviousValue`, as `aws cloudformation deploy` does), rather than
/// falling back to its default and undoing the release. moto keeps an omitted parameter's value
/// where AWS takes the default, so this reads the request Gaffer sends instead.
@Suite struct KeptParameterTests {
    static let template = """
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          ImageTag:
            Type: String
            Default: ""
          Added:
            Type: String
            Default: "new"
        Resources:
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              DisplayName: !Sub "release ${ImageTag} ${Added}"
        """

    static let describedStack = """
        <DescribeStacksResponse><DescribeStacksResult><Stacks><member>
          <StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/gaffer-app-kept/1</StackId>
          <StackName>gaffer-app-kept</StackName><StackStatus>UPDATE_COMPLETE</StackStatus>
          <Parameters><member><ParameterKey>ImageTag</ParameterKey><ParameterValue>abc123</ParameterValue></member></Parameters>
        </member></Stacks></DescribeStacksResult></DescribeStacksResponse>
        """

    @Test func anUpdateChangeSetKeepsTheParametersTheStackHasAndOnlyThose() async throws {
        let created = Mutex<[String]>([])
        let server = try await StubHTTPServer.start { request in
            let body = String(decoding: request.body, as: UTF8.self)
            if body.contains("Action=DescribeStacks") { return StubResponse(body: Self.describedStack) }
            if body.contains("Action=GetCallerIdentity") {
                return StubResponse(
                    body:
                        "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/gaffer</Arn><UserId>AID</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>"
                )
            }
            created.withLock { $0.append(body) }
            return StubResponse(
                body:
                    "<CreateChangeSetResponse><CreateChangeSetResult><Id>arn:aws:cloudformation:us-east-1:123456789012:changeSet/c/1</Id></CreateChangeSetResult></CreateChangeSetResponse>"
            )
        }
        var settings = AWSSettings()
        settings.endpointURL = server.url
        settings.credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: Secret("secret"))
        let stacks = CloudFormationStacks(accounts: AccountClients(base: try AWSClient.standard(settings)))
        let key = StackKey(account: "123456789012", region: "us-east-1", name: "gaffer-app-kept")

        _ = try await stacks.createChangeSet(key, name: "gaffer-pr1", type: "UPDATE", template: Self.template, tags: [:])
        _ = try await stacks.createChangeSet(key, name: "gaffer-pr1-new", type: "CREATE", template: Self.template, tags: [:])
        await server.stop()
        let bodies = created.withLock { $0 }.map { $0.removingPercentEncoding ?? $0 }
        try #require(bodies.count == 2)
        #expect(bodies[0].contains("Parameters.member.1.ParameterKey=ImageTag&Parameters.member.1.UsePreviousValue=true"), "\(bodies[0])")
        #expect(!bodies[0].contains("ParameterKey=Added"), "a parameter the stack does not have yet takes its default")
        #expect(!bodies[1].contains("UsePreviousValue"), "a new stack has no previous values")
    }
}
