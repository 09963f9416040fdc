import Foundation
import GafferAgents
import GafferCore
import GafferPipeline
import GafferTestSupport
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

    @Test func thePipelineItWritesPassesOnThePlansOwnFilesAndFailsOnABrokenTemplate() async throws {
        let plan = try await TestCoordinator.plan(try ExampleTasks.task(.snsTopic, .examples))
        let folder = try TemporaryDirectory("gaffer-plan-pipeline")
        defer { folder.remove() }
        let source = folder.url.appendingPathComponent("src")
        for change in plan.files.changes {
            guard case .write(let path, let contents, _) = change else { continue }
            let url = source.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: url)
        }
        let buildspecPath = "infra/gaffer-sns-topic-order-events/buildspec.yml"
        func build() async throws -> BuildResult {
            let request = BuildRunner.Request(
                buildspec: try BuildspecLoader.load(path: source.appendingPathComponent(buildspecPath).path),
                sourceDirectory: source.path,
                logPath: folder.url.appendingPathComponent("build-\(UUID().uuidString).log").path
            )
            return await BuildRunner().run(request, log: try BuildLog(path: request.logPath))
        }
        let passed = try await build()
        #expect(passed.status == .succeeded, "\((try? String(contentsOfFile: passed.logPath, encoding: .utf8)) ?? "")")
        // A property cfn-lint does not know: the same pipeline must fail.
        let template = source.appendingPathComponent("infra/gaffer-sns-topic-order-events/template.yaml")
        let text = try String(contentsOf: template, encoding: .utf8)
        try text.replacingOccurrences(of: "      TopicName:", with: "      TopicNam:").write(to: template, atomically: true, encoding: .utf8)
        #expect(try await build().status == .failed)
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
