import Foundation
import GafferCore
import GafferTestSupport
import Testing
import Yams

/// Gaffer's own issue forms (`.github/ISSUE_TEMPLATE`) and the parser can never
/// drift apart: each form is filled in as a person would, turned into the body
/// GitHub writes, and parsed back into the task that was meant.
struct GafferFormTests {
    static let folder = Conformance.packageRoot.appendingPathComponent(".github/ISSUE_TEMPLATE")

    static func load(_ file: String) throws -> IssueForm {
        try YAMLDecoder().decode(IssueForm.self, from: String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8))
    }

    static let files = ["1-create-or-update-resource.yml", "2-deploy-application.yml", "3-delete-resource.yml", "4-report.yml"]

    /// The form a person would pick for a task.
    static func form(for task: AwsTask) throws -> IssueForm {
        if task.kind.isReport { return try load(files[3]) }
        if task.kind == .delete { return try load(files[2]) }
        if task.resource?.applicationKind != nil { return try load(files[1]) }
        return try load(files[0])
    }

    static func roundTrip(_ task: AwsTask) throws -> IssueParseResult {
        let form = try form(for: task)
        let body = form.body(answers: task.formAnswers())
        return IssueParser().parse(IssueInput(title: form.title ?? "", body: body, labels: form.labels, author: task.requester, number: task.issue))
    }

    /// Found by the round-trip property: "### Name" answered "Db" was read as a resource (RDS), as if the
    /// label were one Gaffer does not know.
    @Test func aNameThatIsAlsoAResourceWordStaysTheName() throws {
        let task = AwsTask(kind: .delete, resource: .vpc, region: "us-east-1", parameters: ["vpcName": .string("Db")], requester: "x", issue: 3)
        let result = try Self.roundTrip(task)
        #expect(result.task == task, "\(result.problems) \(result.warnings)")
    }

    /// Found by the round-trip property: "### Application name" answered "s3" was read as the resource S3,
    /// as the application's fields were not among the labels Gaffer knows.
    @Test func anApplicationNamedLikeAResourceStaysTheName() throws {
        let task = AwsTask(
            kind: .create,
            resource: .application(.serverlessAPI),
            region: "us-east-2",
            parameters: ["applicationName": .string("s3"), "entities": .string("orders: id, customer, total:number, paid:boolean")],
            requester: "x",
            issue: 3
        )
        let result = try Self.roundTrip(task)
        #expect(result.task == task, "\(result.problems) \(result.warnings)")
    }

    static let examples: [AwsTask] = [
        AwsTask(
            kind: .create,
            resource: .s3Bucket,
            region: "eu-west-1",
            account: "123456789012",
            parameters: [
                "bucketName": .string("logs-archive"), "versioning": .boolean(true), "encryption": .string("aws:kms"), "lifecycleDays": .integer(90),
            ],
            dependsOn: [12, 15],
            tags: ["team": "data", "aws-cost:centre": "4711"],
            requester: "alice",
            issue: 40
        ),
        AwsTask(
            kind: .update,
            resource: .lambdaFunction,
            region: "us-east-1",
            parameters: ["functionName": .string("resize-images"), "memorySize": .integer(1024), "timeout": .integer(60)],
            requester: "bob",
            issue: 7
        ),
        AwsTask(
            kind: .create,
            resource: .cloudWatchAlarm,
            region: "eu-central-1",
            parameters: [
                "alarmName": .string("orders: 5xx # high"), "namespace": .string("AWS/ApiGateway"), "metricName": .string("5XXError"),
                "comparisonOperator": .string("GreaterThanThreshold"), "threshold": .number(2.5),
            ],
            requester: "carol",
            issue: 8
        ),
        AwsTask(
            kind: .create,
            resource: .application(.serverlessAPI),
            region: "eu-west-2",
            parameters: [
                "applicationName": .string("orders"), "runtime": .string("python3.13"),
                "entities": .string("orders: id, customer, total:number, paid:boolean\ncustomers: id, name, email\nline_items: id, quantity:integer"),
            ],
            requester: "dan",
            issue: 9
        ),
        AwsTask(
            kind: .delete,
            resource: .application(.fastapiECS),
            region: "eu-west-2",
            parameters: ["applicationName": .string("shop")],
            requester: "erin",
            issue: 10
        ),
        AwsTask(
            kind: .delete,
            resource: .rdsInstance,
            region: "ap-southeast-6",
            parameters: ["dbInstanceIdentifier": .string("orders-db")],
            requester: "erin",
            issue: 11
        ),
        AwsTask(kind: .securityAudit, resource: nil, requester: "frank", issue: 12),
        AwsTask(
            kind: .healthCheck,
            resource: .ecsService,
            region: "us-west-2",
            parameters: ["serviceName": .string("web")],
            requester: "gus",
            issue: 13
        ),
    ]

    @Test(arguments: examples)
    func filledInFormParsesIntoTheTaskMeant(_ task: AwsTask) throws {
        let result = try Self.roundTrip(task)
        #expect(result.task == task, "\(result.problems)")
        #expect(result.warnings.isEmpty, "\(result.warnings)")
    }

    @Test func everyDropdownOptionReadsAsAValue() throws {
        for file in Self.files {
            let form = try Self.load(file)
            #expect(form.labels.contains("gaffer"), "\(file) sets the trigger label")
            for element in form.body where element.type == "dropdown" {
                for option in element.attributes.options ?? [] {
                    let body = form.body(answers: [element.id ?? "": .chosen([option.label])])
                    let sections = IssueFormBody(body).sections
                    let value = sections.first { $0.label == element.attributes.label }?.text ?? ""
                    let understood: Bool =
                        switch element.id {
                        case "task": TaskKind(spoken: value) != nil
                        case "resource": ResourceKind(spoken: value) != nil || value.hasPrefix("Application (") || value == "All resources"
                        case "application": ApplicationKind(spoken: value) != nil
                        case "region": AwsRegion.all.contains(value)
                        default: false
                        }
                    #expect(understood, "\(file): option \(option.label) of \(element.id ?? "?") is not understood")
                }
            }
        }
    }

    /// What GitHub checks when it loads a form: a name and description, unique ids of
    /// letters, digits, `-` and `_`, a label on every field, options unique and non-empty.
    @Test func formsFollowGitHubsFormSchema() throws {
        for file in Self.files {
            let form = try Self.load(file)
            #expect(!form.name.isEmpty && !(form.description ?? "").isEmpty, "\(file)")
            let ids = form.body.compactMap(\.id)
            #expect(Set(ids).count == ids.count, "\(file): duplicate ids")
            #expect(ids.allSatisfy { $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } }, "\(file)")
            for element in form.body {
                #expect(["markdown", "input", "textarea", "dropdown", "checkboxes"].contains(element.type), "\(file)")
                guard element.type != "markdown" else { continue }
                #expect(!(element.attributes.label ?? "").isEmpty, "\(file): a field without a label")
                if element.type == "dropdown" || element.type == "checkboxes" {
                    let options = (element.attributes.options ?? []).map(\.label)
                    #expect(!options.isEmpty && Set(options).count == options.count, "\(file): \(element.id ?? "")")
                }
            }
        }
    }

    /// The help text is where people learn the settings; every field of every resource is named there.
    @Test func settingsHelpNamesEveryField() throws {
        let create = try Self.load(Self.files[0])
        let help = create.body.first { $0.id == "settings" }?.attributes.description ?? ""
        for resource in ResourceKind.singleResources {
            for field in resource.schema.fields where field.key != resource.schema.identifier {
                #expect(help.contains("`\(field.key)`"), "the settings help does not mention \(resource.name).\(field.key)")
            }
        }
        let deploy = try Self.load(Self.files[1])
        let deployHelp = deploy.body.first { $0.id == "settings" }?.attributes.description ?? ""
        let ownFields: Set<String> = ["entities", "behaviour"]
        for field in Application.schema.fields where field.key != Application.schema.identifier && !ownFields.contains(field.key) {
            #expect(deployHelp.contains("`\(field.key)`"), "the deploy help does not mention \(field.key)")
        }
        for own in ownFields.sorted() {
            #expect(deploy.body.contains { $0.id == own }, "the deploy form asks for the \(own) in a field of its own")
        }
    }
}

extension AwsTask: CustomTestStringConvertible {
    public var testDescription: String { "\(kind.rawValue) \(resource?.name ?? "everything") \(resourceName ?? "")" }
}
