import Foundation
import GafferAgents
import GafferCore
import Testing

/// Tasks built from each resource's schema: its examples for the required fields, or every field set.
enum ExampleTasks {
    enum Variant: String, CaseIterable, Sendable {
        /// Only what a create needs, from the schema's examples; the template's defaults fill the rest.
        case examples
        /// Every field the schema has, set.
        case everyField = "every-field"
    }

    /// Values that differ from a field's example where the examples would contradict each other
    /// (a FIFO topic's name ends in .fifo) or where the example is the default (so setting it shows nothing).
    static let overrides: [String: [String: String]] = [
        "snsTopic": ["topicName": "order-events.fifo"],
        "dynamoDBTable": ["billingMode": "PROVISIONED"],
        "apiGateway": ["protocolType": "REST", "stageName": "v1"],
        "ecsService": ["cpu": "512", "memory": "1024"],
        "rdsInstance": ["multiAZ": "true", "dbInstanceClass": "db.t4g.medium"],
        "s3Bucket": ["versioning": "true"],
    ]

    static func task(
        _ resource: ResourceKind,
        _ variant: Variant,
        kind: TaskKind = .create,
        region: String = "us-east-1",
        replacing: [String: String] = [:]
    ) throws -> AwsTask {
        var parameters: [String: ParameterValue] = [:]
        for field in resource.schema.fields where variant == .everyField || field.requiredFor.contains(.create) {
            var text = field.example
            if variant == .everyField, let override = overrides[resource.name]?[field.key] { text = override }
            if let replacement = replacing[field.key] { text = replacement }
            parameters[field.key] = try field.read(text).get()
        }
        for (key, text) in replacing where parameters[key] == nil {
            let field = try #require(resource.schema.field(named: key))
            parameters[key] = try field.read(text).get()
        }
        let tags = variant == .everyField ? ["team": "platform", "cost-center": "cc-1234"] : [:]
        return AwsTask(kind: kind, resource: resource, region: region, parameters: parameters, tags: tags, requester: "alice", issue: 40)
    }
}

/// A coordinator over the shipped templates with an in-memory store.
enum TestCoordinator {
    static func make(
        templates: TemplateLibrary? = nil,
        agents: [any Agent] = StandardAgents.all,
        limits: PlanLimits = PlanLimits(),
        store: any PlanStore = InMemoryPlanStore(),
        costThreshold: Double = 100
    ) throws -> Coordinator {
        let library = try templates ?? TemplateLibrary.shipped()
        return Coordinator(
            agents: try AgentRegistry(agents),
            templates: library,
            settings: AgentSettings(costApprovalThresholdUSD: costThreshold, prices: try PriceTable.shipped(TemplateLibrary.shipped())),
            limits: limits,
            store: store
        )
    }

    static func plan(_ task: AwsTask, repository: String? = "acme/infra") async throws -> Plan {
        try await make().plan(task, repository: repository)
    }
}

/// Every template Gaffer writes for every single resource, both variants.
struct RenderedStack: Sendable, CustomTestStringConvertible {
    let resource: ResourceKind
    let variant: ExampleTasks.Variant
    let task: AwsTask
    let plan: Plan

    var testDescription: String { "\(resource.name) (\(variant.rawValue))" }

    /// Template paths and bodies: the main stack, then the alarms' stack if any.
    var templates: [(path: String, body: String)] {
        plan.stacks.compactMap { stack in plan.files.text(at: stack.template).map { (stack.template, $0) } }
    }

    static func all() async throws -> [RenderedStack] {
        var rendered: [RenderedStack] = []
        for resource in ResourceKind.singleResources {
            for variant in ExampleTasks.Variant.allCases {
                let task = try ExampleTasks.task(resource, variant)
                rendered.append(RenderedStack(resource: resource, variant: variant, task: task, plan: try await TestCoordinator.plan(task)))
            }
        }
        return rendered
    }

    /// Writes every template under `folder` as `<resource>.<variant>[.monitoring].yaml`; returns path → rendered stack.
    static func writeAll(_ stacks: [RenderedStack], to folder: URL) throws -> [String: String] {
        var written: [String: String] = [:]
        for stack in stacks {
            for (path, body) in stack.templates {
                let suffix = path.hasSuffix("monitoring.yaml") ? ".monitoring" : ""
                let file = folder.appendingPathComponent("\(stack.resource.name).\(stack.variant.rawValue)\(suffix).yaml")
                try body.write(to: file, atomically: true, encoding: .utf8)
                written[file.path] = stack.testDescription + suffix
            }
        }
        return written
    }
}
