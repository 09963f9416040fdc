import Foundation
import GafferCore

/// Renders an application from its blueprint (`templates/apps/<kind>/`): the stack
/// (`template.yaml`), its alarms and dashboard (`monitoring.yaml`) and the code (`code/`), all
/// customised by the task: its name, domain, runtime, memory, desired count and entities.
struct ApplicationBlueprint {
    let kind: ApplicationKind
    let context: AgentContext
    let entities: EntitySpec

    init?(context: AgentContext) throws {
        guard let kind = context.task.resource?.applicationKind else { return nil }
        self.kind = kind
        self.context = context
        if let text = context.task.parameters["entities"]?.stringValue {
            switch EntitySpec.parse(text) {
            case .success(let spec): entities = spec
            case .failure(let violation): throw AgentError("the entities \(violation.rule)")
            }
        } else {
            entities = .standard
        }
    }

    var naming: StackNaming { context.stack }

    /// The application's stack.
    func template() throws -> String {
        try render(file: "template.yaml", stackName: naming.name, agent: .infrastructure)
    }

    /// The stack of its alarms and dashboard.
    func monitoring() throws -> String {
        try render(file: "monitoring.yaml", stackName: naming.monitoringName, agent: .monitoring)
    }

    /// Paths of the code files, in the application's folder.
    var codePaths: [String] { context.templates.codeFiles(of: kind).map { "\(naming.folder)/\($0.path)" } }

    /// The code, its tests and its two pipelines, in the application's folder.
    func code() throws -> FileSet {
        let values = self.values(stackName: naming.name, agent: .deployment)
        var files = FileSet()
        for (path, template) in context.templates.codeFiles(of: kind) {
            files.write("\(naming.folder)/\(path)", try context.templates.render(template, values))
        }
        return files
    }

    private func render(file: String, stackName: String, agent: AgentRole) throws -> String {
        guard let template = context.templates.blueprintTemplate(file, of: kind) else {
            throw AgentError("the blueprint \(kind.rawValue) has no \(file): add templates/apps/\(kind.rawValue)/\(file)")
        }
        return try context.templates.render(template, values(stackName: stackName, agent: agent))
    }

    func values(stackName: String, agent: AgentRole) -> [String: Any] {
        let task = context.task
        var values = TemplateContext.make(
            task: task,
            template: "apps/\(kind.rawValue)/template.yaml",
            library: context.templates,
            stackName: stackName,
            mainStack: naming.name,
            repository: context.plan.repository,
            agent: agent
        )
        let name = task.resourceName ?? naming.name
        let runtime = task.parameters["runtime"]?.stringValue ?? "python3.12"
        let memory = task.parameters["memorySize"]?.integerValue
        let fargate = Self.fargateSize(memoryMB: memory ?? 512)
        var app: [String: Any] = [
            "runtime": runtime, "pythonVersion": String(runtime.dropFirst("python".count)),
            "lambdaMemory": memory ?? 256, "memory": fargate.memory, "cpu": fargate.cpu,
            "desiredCount": task.parameters["desiredCount"]?.integerValue ?? 2,
        ]
        if let domain = task.parameters["domainName"]?.stringValue { app["domainName"] = domain }
        values["app"] = app
        values["appName"] = name
        values["stack"] = naming.name
        values["folder"] = naming.folder
        values["alarmPrefix"] = naming.name
        values["alarmTopicName"] = "\(naming.name)-alarms"
        values["frontend"] = kind.hasFrontend
        values["inUSEast1"] = (task.region ?? "us-east-1") == "us-east-1"
        values["apiPrefix"] = kind.hasFrontend ? "/api" : ""
        values["issue"] = task.issue.map { issue in context.plan.repository.map { "\($0)#\(issue)" } ?? "issue #\(issue)" } ?? "a Gaffer task"
        values["templates"] = ["template.yaml", "monitoring.yaml"]
        values["lintPaths"] = kind.runsInContainers ? "app tests smoke_test.py" : "api tests smoke_test.py"
        values["entities"] = entities.entities.map { entityValues($0, application: name) }
        let columnTypes = Set(entities.entities.flatMap { $0.fields.compactMap { Self.sqlAlchemyType[$0.type] } })
        values["sqlAlchemyImports"] = columnTypes.union(["Column", "MetaData", "String", "Table"]).sorted().joined(separator: ", ")
        values["entitiesJSON"] = Self.json(
            entities.entities.map { entity in
                ["name": entity.name, "fields": entity.fields.map { ["name": $0.name, "type": $0.type.rawValue] }] as [String: Any]
            }
        )
        let functions = entities.entities.map { "\(name)-\($0.name)" }
        values["lambdaErrorMetrics"] = functions.map { Self.json(["AWS/Lambda", "Errors", "FunctionName", $0]) }.joined(separator: ",")
        values["lambdaDurationMetrics"] = functions.map { Self.json(["AWS/Lambda", "Duration", "FunctionName", $0]) }.joined(separator: ",")
        values["tableThrottleMetrics"] = functions.flatMap { table in
            [
                Self.json(["AWS/DynamoDB", "ReadThrottleEvents", "TableName", table]),
                Self.json(["AWS/DynamoDB", "WriteThrottleEvents", "TableName", table]),
            ]
        }.joined(separator: ",")
        return values
    }

    private func entityValues(_ entity: EntitySpec.Entity, application: String) -> [String: Any] {
        let fields = entity.fields.map { field -> [String: Any] in
            [
                "name": field.name, "type": field.type.rawValue, "pyType": Self.pythonType[field.type] ?? "String_",
                "sqlType": Self.sqlType[field.type] ?? "TEXT", "sqlAlchemyType": Self.sqlAlchemyType[field.type] ?? "Text",
            ]
        }
        func sample(_ pick: (EntitySpec.Field) -> String) -> String {
            "{" + entity.fields.map { "\"\($0.name)\": \(pick($0))" }.joined(separator: ", ") + "}"
        }
        let first = entity.fields.first?.name
        return [
            "name": entity.name,
            "pascal": entity.name.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(),
            "spec": entity.text,
            "tableName": TemplateContext.yamlString("\(application)-\(entity.name)"),
            "functionName": "\(application)-\(entity.name)",
            "fields": fields,
            "pySample": sample { Self.pythonSample($0, second: false) },
            "pyUpdate": sample { Self.pythonSample($0, second: true) },
            "pyInvalid": sample { $0.name == first ? Self.pythonWrongType($0.type) : Self.pythonSample($0, second: false) },
        ]
    }

    static let pythonType: [EntitySpec.FieldType: String] = [.string: "String_", .number: "Number", .integer: "Integer", .boolean: "Boolean_"]
    static let sqlType: [EntitySpec.FieldType: String] = [.string: "TEXT", .number: "DOUBLE PRECISION", .integer: "BIGINT", .boolean: "BOOLEAN"]
    static let sqlAlchemyType: [EntitySpec.FieldType: String] = [.string: "Text", .number: "Float", .integer: "BigInteger", .boolean: "Boolean"]

    /// A value of the field's type, as Python writes it: the tests create one item and replace it with another.
    static func pythonSample(_ field: EntitySpec.Field, second: Bool) -> String {
        switch field.type {
        case .string: "\"\(field.name) \(second ? "two" : "one")\""
        case .number: second ? "40.25" : "12.5"
        case .integer: second ? "7" : "3"
        case .boolean: second ? "False" : "True"
        }
    }

    /// A value the field's type refuses.
    static func pythonWrongType(_ type: EntitySpec.FieldType) -> String {
        switch type {
        case .string: "42"
        case .number: "\"a lot\""
        case .integer: "2.5"
        case .boolean: "\"yes\""
        }
    }

    /// Fargate's smallest valid size with at least this much memory (0.25 vCPU takes 0.5–2 GB,
    /// 0.5 vCPU up to 4 GB, 1 vCPU up to 8 GB, 2 vCPU up to 16 GB).
    static func fargateSize(memoryMB: Int) -> (cpu: Int, memory: Int) {
        let memory = memoryMB <= 512 ? 512 : min(16_384, (memoryMB + 1023) / 1024 * 1024)
        let cpu = memory <= 2048 ? 256 : memory <= 4096 ? 512 : memory <= 8192 ? 1024 : 2048
        return (cpu, memory)
    }

    static func json(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }
}
