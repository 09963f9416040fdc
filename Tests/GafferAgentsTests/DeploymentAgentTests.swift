import Foundation
import GafferAgents
import GafferCore
import GafferPipeline
import Testing

@Suite struct DeploymentAgentTests {
    @Test func thePipelineItWritesLoadsAndLintsEveryTemplateOfTheStack() async throws {
        let plan = try await TestCoordinator.plan(try ExampleTasks.task(.dynamoDBTable, .examples))
        let folder = "infra/gaffer-dynamodb-table-orders"
        let text = try #require(plan.files.text(at: "\(folder)/buildspec.yml"))
        let buildspec = try BuildspecLoader.parse(text, file: "\(folder)/buildspec.yml")
        let commands = buildspec.phases.values.flatMap(\.commands).joined(separator: "\n")
        #expect(commands.contains("cfn-lint --format parseable \(folder)/template.yaml"))
        #expect(commands.contains("cfn-lint --format parseable \(folder)/monitoring.yaml"))
    }

    @Test func theReadmeSaysWhatIsCreatedWhatItCostsAndWhatWasFound() async throws {
        let task = try ExampleTasks.task(.s3Bucket, .examples, replacing: ["blockPublicAccess": "false"])
        let plan = try await TestCoordinator.plan(task)
        let readme = try #require(plan.files.text(at: "infra/gaffer-s3-bucket-logs-archive/README.md"))
        #expect(readme.contains("| `gaffer-s3-bucket-logs-archive` | `Bucket` | AWS::S3::Bucket |"))
        let estimate = try #require(plan.estimate)
        #expect(readme.contains("**$\(String(format: "%.2f", estimate.monthlyUSD)) a month**"))
        #expect(readme.contains("`GAFFER-S3-PUBLIC`") && readme.contains("(Asked for in the issue.)"))
    }
}
