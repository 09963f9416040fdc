import Foundation
import GafferAWS
import GafferAgents
import GafferCore
import GafferPipeline
import GafferProcess
import GafferTestSupport
import Testing

/// The three blueprints, each with the default entity and with three, proven as Gaffer proves
/// them before a pull request: the templates lint clean and create on moto, the application's
/// own tests pass in Gaffer's pipeline, and the application really runs.
@Suite(.serialized) struct ApplicationBlueprintTests {
    enum Variant: String, CaseIterable, Sendable {
        /// No entities in the issue: one `items` entity.
        case standard
        /// Three entities, every field type.
        case threeEntities = "three-entities"
    }

    static let threeEntities =
        "orders: id, customer, total:number, paid:boolean\ncustomers: id, name, email\nline_items: id, order_id, quantity:integer"

    static func task(_ kind: ApplicationKind, _ variant: Variant, domain: Bool = false) throws -> AwsTask {
        // Each variant names its own application, so both fit on one moto.
        var parameters: [String: ParameterValue] = ["applicationName": .string(variant == .standard ? "shop" : "store")]
        if variant == .threeEntities {
            parameters["entities"] = .string(Self.threeEntities)
            parameters["desiredCount"] = .integer(3)
            parameters["memorySize"] = .integer(1024)
        }
        if domain { parameters["domainName"] = .string("store.example.com") }
        return AwsTask(kind: .create, resource: .application(kind), region: "us-east-1", parameters: parameters, requester: "alice", issue: 17)
    }

    static func spec(_ variant: Variant) throws -> EntitySpec {
        variant == .standard ? .standard : try EntitySpec.parse(threeEntities).get()
    }

    /// The plan's files written under a new folder; the application's folder in it.
    static func render(_ task: AwsTask, into folder: TemporaryDirectory) async throws -> (plan: Plan, app: URL) {
        let plan = try await TestCoordinator.plan(task)
        try #require(plan.state == .ready, "\(task.testDescription): \(plan.failureReasons)")
        for case .write(let path, let contents, _) in plan.files.changes {
            let url = folder.url.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: url)
        }
        return (plan, folder.url.appendingPathComponent(StackNaming(task: task).folder))
    }

    // MARK: templates

    @Test func aTemplatesFolderMissingPartOfABlueprintIsRefusedAtStartUp() throws {
        let folder = try TemporaryDirectory("gaffer-app-incomplete")
        defer { folder.remove() }
        let copy = folder.url.appendingPathComponent("templates")
        try FileManager.default.copyItem(at: try TemplateLibrary.shippedDirectory(), to: copy)
        try FileManager.default.removeItem(at: copy.appendingPathComponent("apps/serverless-api/monitoring.yaml"))
        let error = try #require(throws: AgentError.self) { try TemplateLibrary(directory: copy) }
        #expect(error.description == "the blueprint serverless-api has no monitoring.yaml: add templates/apps/serverless-api/monitoring.yaml")
        try FileManager.default.removeItem(at: copy.appendingPathComponent("apps/fullstack/README.md"))
        #expect(throws: AgentError.self) { try TemplateLibrary(directory: copy) }
    }

    @Test(arguments: ApplicationKind.allCases)
    func templatesLintCleanWithCfnLintAndCheckov(_ kind: ApplicationKind) async throws {
        let folder = try TemporaryDirectory("gaffer-app-lint")
        defer { folder.remove() }
        var files: [String] = []
        for (index, task) in try [Self.task(kind, .standard), Self.task(kind, .threeEntities), Self.task(kind, .threeEntities, domain: true)]
            .enumerated()
        {
            let plan = try await TestCoordinator.plan(task)
            try #require(plan.state == .ready, "\(kind.rawValue): \(plan.failureReasons)")
            #expect(plan.stacks.count == 2, "the application's stack and its alarms' stack")
            for stack in plan.stacks {
                let url = folder.url.appendingPathComponent("\(index)-\((stack.template as NSString).lastPathComponent)")
                try #require(plan.files.text(at: stack.template)).write(to: url, atomically: true, encoding: .utf8)
                files.append(url.path)
            }
        }
        for (file, lines) in try await TemplateLinters.cfnLint(files).sorted(by: { $0.key < $1.key }) {
            Issue.record("cfn-lint on \(kind.rawValue) \(file):\n\(lines.joined(separator: "\n"))")
        }
        for (file, checks) in try await TemplateLinters.checkov(folder: folder.url, skips: try TemplateLinters.checkovSkips()) {
            Issue.record("checkov on \(kind.rawValue) \(file):\n\(checks.joined(separator: "\n"))")
        }
    }

    /// Resource types moto's CloudFormation does not create: the rest of the stack is created and read back.
    static let motoGaps: Set<String> = MotoDeploymentTests.motoGaps.union([
        "AWS::CloudFront::OriginAccessControl", "AWS::CertificateManager::Certificate", "AWS::SecretsManager::Secret",
    ])

    @Test(arguments: ApplicationKind.allCases)
    func stacksCreateOnMotoAndReadBackAsAsked(_ kind: ApplicationKind) async throws {
        let moto = try await MotoServer.start(authenticated: false)
        defer { moto.stop() }
        let client = try moto.client()
        let cloudFormation = CloudFormation(client)
        for variant in Variant.allCases {
            let task = try Self.task(kind, variant)
            let plan = try await TestCoordinator.plan(task)
            try #require(plan.state == .ready, "\(kind.rawValue): \(plan.failureReasons)")
            // The alarms' stack imports the main stack's outputs: main first, under the names the plan gives.
            for stack in plan.stacks {
                let body = try #require(plan.files.text(at: stack.template))
                try await MotoDeploymentTests.create(cloudFormation, name: stack.name, body: body, label: "\(kind.rawValue) \(variant.rawValue)")
                let created = Set(try await cloudFormation.describeStackResources(stack.name).map(\.resourceType))
                let declared = Set(try CloudFormationDocument(path: stack.template, text: body).resources.map(\.type))
                let missing = declared.subtracting(created).subtracting(Self.motoGaps)
                #expect(missing.isEmpty, "\(kind.rawValue) \(variant.rawValue): moto did not create \(missing.sorted()), not a listed gap")
            }
            try await AppReadBack.expect(task, spec: try Self.spec(variant), client: client)
        }
    }

    // MARK: the application's own tests, and the application running

    @Test(arguments: ApplicationKind.allCases, Variant.allCases)
    func theApplicationsTestsPassInGaffersPipelineAndItRuns(_ kind: ApplicationKind, _ variant: Variant) async throws {
        let folder = try TemporaryDirectory("gaffer-app-run")
        defer { folder.remove() }
        let task = try Self.task(kind, variant)
        let spec = try Self.spec(variant)
        let (_, app) = try await Self.render(task, into: folder)

        // As CodeBuild would: the generated buildspec from the repository's root, on a machine
        // with Python 3 and the package index; it makes its own virtual environment.
        let buildspec = try BuildspecLoader.parse(
            try String(contentsOf: app.appendingPathComponent("buildspec.yml"), encoding: .utf8),
            file: "buildspec.yml"
        )
        var request = BuildRunner.Request(
            buildspec: buildspec,
            sourceDirectory: folder.url.path,
            logPath: folder.url.appendingPathComponent("build.log").path
        )
        request.timeout = .seconds(600)
        let result = await BuildRunner().run(request, log: try BuildLog(path: request.logPath))
        let log = (try? String(contentsOfFile: request.logPath, encoding: .utf8)) ?? ""
        try #require(result.status == .succeeded, "\(kind.rawValue) \(variant.rawValue): \(result.reason ?? "")\n\(log.suffix(4_000))")
        let report = try #require(result.reports.first, "a JUnit report")
        let perEntity = kind.runsInContainers ? 3 : 2
        #expect(report.tests == spec.entities.count * perEntity + (kind.runsInContainers ? 1 : 0), "\(kind.rawValue) \(variant.rawValue) tests")
        #expect(report.failed == 0 && report.errors == 0)

        guard variant == .threeEntities else { return }
        if kind.runsInContainers {
            try await AppRun.serviceOnPostgreSQL(app: app, spec: spec, frontend: kind.hasFrontend)
        } else {
            try await AppRun.handlersOnMoto(app: app, task: task, spec: spec)
        }
    }

    // MARK: golden files

    static let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("GoldenApps")

    /// Each blueprint's whole tree for three entities and a domain, kept in `GoldenApps/<kind>/`;
    /// after an intended change: `GAFFER_UPDATE_GOLDEN=1 swift test --filter ApplicationBlueprintTests`.
    @Test(arguments: ApplicationKind.allCases)
    func theGeneratedTreeMatchesItsGoldenFiles(_ kind: ApplicationKind) async throws {
        let update = ProcessInfo.processInfo.environment["GAFFER_UPDATE_GOLDEN"] == "1"
        let task = try Self.task(kind, .threeEntities, domain: true)
        let plan = try await TestCoordinator.plan(task)
        let folder = StackNaming(task: task).folder + "/"
        let golden = Self.goldenFolder.appendingPathComponent(kind.rawValue)
        var written = Set<String>()
        for case .write(let path, let contents, _) in plan.files.changes {
            let relative = String(path.dropFirst(folder.count))
            written.insert(relative)
            let url = golden.appendingPathComponent(relative)
            if update {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try contents.write(to: url)
            }
            let expected = try? String(contentsOf: url, encoding: .utf8)
            #expect(expected == String(decoding: contents, as: UTF8.self), "\(kind.rawValue)/\(relative) differs from its golden file")
        }
        let present = Set(TemplateLibrary.files(under: golden))
        #expect(present == written, "golden files without a generated file, or the other way round")
    }
}

extension AwsTask {
    var testDescription: String { "\(resource?.storageName ?? "?") \(resourceName ?? "")" }
}
