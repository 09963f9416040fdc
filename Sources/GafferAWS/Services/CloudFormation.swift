import Foundation

/// AWS CloudFormation (query protocol): stacks and the change sets Gaffer previews before applying.
public struct CloudFormation: Sendable {
    public let client: AWSClient
    public var region: String?

    public init(_ client: AWSClient, region: String? = nil) {
        self.client = client
        self.region = region
    }

    /// What CreateStack, UpdateStack and CreateChangeSet take.
    public struct StackInput: Sendable {
        public var stackName: String
        public var templateBody: String?
        public var templateURL: String?
        public var parameters: [String: String] = [:]
        /// Parameters the stack keeps as they are (`UsePreviousValue`), such as a released image's tag.
        public var previousParameters: [String] = []
        public var tags: [String: String] = [:]
        /// CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND.
        public var capabilities: [String] = []
        public var roleARN: String?

        public init(stackName: String, templateBody: String? = nil, templateURL: String? = nil) {
            self.stackName = stackName
            self.templateBody = templateBody
            self.templateURL = templateURL
        }

        func add(to parameters: inout QueryParameters) {
            parameters.add("StackName", stackName)
            parameters.add("TemplateBody", templateBody)
            parameters.add("TemplateURL", templateURL)
            parameters.structures(
                "Parameters",
                self.parameters.sorted { $0.key < $1.key }.map { [("ParameterKey", $0.key), ("ParameterValue", $0.value)] }
                    + previousParameters.sorted().map { [("ParameterKey", $0), ("UsePreviousValue", "true")] }
            )
            parameters.tags("Tags", tags)
            parameters.list("Capabilities", capabilities)
            parameters.add("RoleARN", roleARN)
        }
    }

    public struct Stack: Sendable {
        public let stackID: String
        public let stackName: String
        public let status: String
        public let statusReason: String?
        public let outputs: [String: String]
        public let parameters: [String: String]
        public let tags: [String: String]
    }

    public struct StackEvent: Sendable {
        public let eventID: String
        public let logicalResourceID: String
        public let resourceType: String
        public let status: String
        public let statusReason: String?
        public let timestamp: String
    }

    public struct StackResource: Sendable {
        public let logicalResourceID: String
        public let physicalResourceID: String?
        public let resourceType: String
        public let status: String
    }

    public struct ChangeSet: Sendable {
        public let changeSetID: String
        public let stackID: String
        /// CREATE_PENDING, CREATE_IN_PROGRESS, CREATE_COMPLETE, FAILED.
        public let status: String
        public let statusReason: String?
        /// AVAILABLE once it can be executed.
        public let executionStatus: String
        public let changes: [Change]
    }

    /// One resource the change set would touch; `replacement` True is the line a reviewer must read.
    public struct Change: Sendable, Equatable {
        /// Add, Modify, Remove, Import, Dynamic.
        public let action: String
        public let logicalResourceID: String
        public let physicalResourceID: String?
        public let resourceType: String
        /// True, False or Conditional (Modify only).
        public let replacement: String?
        /// Properties, Metadata, CreationPolicy, UpdatePolicy, DeletionPolicy, Tags.
        public let scope: [String]
        public let details: [ChangeDetail]

        public init(
            action: String,
            logicalResourceID: String,
            physicalResourceID: String? = nil,
            resourceType: String,
            replacement: String? = nil,
            scope: [String] = [],
            details: [ChangeDetail] = []
        ) {
            self.action = action
            self.logicalResourceID = logicalResourceID
            self.physicalResourceID = physicalResourceID
            self.resourceType = resourceType
            self.replacement = replacement
            self.scope = scope
            self.details = details
        }
    }

    /// What changes in a modified resource: one property (or attribute), whether it forces a
    /// replacement (`Always`, `Conditionally`, `Never`), and its values when the change set was
    /// made with `IncludePropertyValues`.
    public struct ChangeDetail: Sendable, Equatable {
        public let attribute: String
        public let name: String?
        public let requiresRecreation: String?
        public let beforeValue: String?
        public let afterValue: String?
        /// DirectModification, ResourceReference, ParameterReference, ResourceAttribute, Automatic.
        public let changeSource: String?
        public let causingEntity: String?

        public init(
            attribute: String,
            name: String? = nil,
            requiresRecreation: String? = nil,
            beforeValue: String? = nil,
            afterValue: String? = nil,
            changeSource: String? = nil,
            causingEntity: String? = nil
        ) {
            self.attribute = attribute
            self.name = name
            self.requiresRecreation = requiresRecreation
            self.beforeValue = beforeValue
            self.afterValue = afterValue
            self.changeSource = changeSource
            self.causingEntity = causingEntity
        }
    }

    public struct TemplateSummary: Sendable {
        public let parameters: [String]
        public let capabilities: [String]
        public let description: String?
    }

    public func validateTemplate(body: String) async throws -> TemplateSummary {
        let result = try await call("ValidateTemplate", [("TemplateBody", body)])
        return TemplateSummary(
            parameters: result.list("Parameters").compactMap { $0.string("ParameterKey") },
            capabilities: result.list("Capabilities").map(\.text),
            description: result.string("Description")
        )
    }

    /// Returns the stack id.
    public func createStack(_ input: StackInput, onFailure: String? = nil) async throws -> String {
        var parameters = QueryParameters()
        input.add(to: &parameters)
        parameters.add("OnFailure", onFailure)
        return try await call("CreateStack", parameters.pairs).string("StackId") ?? ""
    }

    public func updateStack(_ input: StackInput) async throws -> String {
        var parameters = QueryParameters()
        input.add(to: &parameters)
        return try await call("UpdateStack", parameters.pairs).string("StackId") ?? ""
    }

    public func deleteStack(_ name: String) async throws {
        _ = try await call("DeleteStack", [("StackName", name)])
    }

    /// The stack named, or every live stack page by page.
    public func describeStacks(name: String? = nil) async throws -> [Stack] {
        var parameters = QueryParameters()
        parameters.add("StackName", name)
        return try await pages("DescribeStacks", parameters, list: "Stacks").map { stack in
            Stack(
                stackID: stack.string("StackId") ?? "",
                stackName: stack.string("StackName") ?? "",
                status: stack.string("StackStatus") ?? "",
                statusReason: stack.string("StackStatusReason"),
                outputs: stack.tags("Outputs", key: "OutputKey", value: "OutputValue"),
                parameters: stack.tags("Parameters", key: "ParameterKey", value: "ParameterValue"),
                tags: stack.tags("Tags")
            )
        }
    }

    public func describeStackEvents(_ name: String) async throws -> [StackEvent] {
        try await call("DescribeStackEvents", [("StackName", name)]).list("StackEvents").map { event in
            StackEvent(
                eventID: event.string("EventId") ?? "",
                logicalResourceID: event.string("LogicalResourceId") ?? "",
                resourceType: event.string("ResourceType") ?? "",
                status: event.string("ResourceStatus") ?? "",
                statusReason: event.string("ResourceStatusReason"),
                timestamp: event.string("Timestamp") ?? ""
            )
        }
    }

    public func describeStackResources(_ name: String) async throws -> [StackResource] {
        try await call("DescribeStackResources", [("StackName", name)]).list("StackResources").map { resource in
            StackResource(
                logicalResourceID: resource.string("LogicalResourceId") ?? "",
                physicalResourceID: resource.string("PhysicalResourceId"),
                resourceType: resource.string("ResourceType") ?? "",
                status: resource.string("ResourceStatus") ?? ""
            )
        }
    }

    /// `type` is CREATE for a stack that does not exist yet, UPDATE otherwise. Returns the change set's id.
    /// `includePropertyValues` asks AWS for each changed property's before and after values.
    public func createChangeSet(
        _ input: StackInput,
        name: String,
        type: String = "UPDATE",
        description: String? = nil,
        includePropertyValues: Bool = false
    ) async throws -> String {
        var parameters = QueryParameters()
        input.add(to: &parameters)
        parameters.add("ChangeSetName", name)
        parameters.add("ChangeSetType", type)
        parameters.add("Description", description)
        if includePropertyValues { parameters.add("IncludePropertyValues", "true") }
        return try await call("CreateChangeSet", parameters.pairs).string("Id") ?? ""
    }

    public func describeChangeSet(_ name: String, stackName: String? = nil) async throws -> ChangeSet {
        var parameters = QueryParameters()
        parameters.add("ChangeSetName", name)
        parameters.add("StackName", stackName)
        parameters.add("IncludePropertyValues", "true")
        return Self.changeSet(from: try await call("DescribeChangeSet", parameters.pairs))
    }

    /// A DescribeChangeSet result read.
    static func changeSet(from result: XMLNode) -> ChangeSet {
        ChangeSet(
            changeSetID: result.string("ChangeSetId") ?? "",
            stackID: result.string("StackId") ?? "",
            status: result.string("Status") ?? "",
            statusReason: result.string("StatusReason"),
            executionStatus: result.string("ExecutionStatus") ?? "",
            changes: result.list("Changes").compactMap { $0["ResourceChange"] }.map { change in
                Change(
                    action: change.string("Action") ?? "",
                    logicalResourceID: change.string("LogicalResourceId") ?? "",
                    physicalResourceID: change.string("PhysicalResourceId"),
                    resourceType: change.string("ResourceType") ?? "",
                    replacement: change.string("Replacement"),
                    scope: change.list("Scope").map(\.text),
                    details: change.list("Details").map { detail in
                        ChangeDetail(
                            attribute: detail.at("Target", "Attribute")?.text ?? "",
                            name: detail.at("Target", "Name")?.text,
                            requiresRecreation: detail.at("Target", "RequiresRecreation")?.text,
                            beforeValue: detail.at("Target", "BeforeValue")?.text,
                            afterValue: detail.at("Target", "AfterValue")?.text,
                            changeSource: detail.string("ChangeSource"),
                            causingEntity: detail.string("CausingEntity")
                        )
                    }
                )
            }
        )
    }

    /// The stack's change sets (their ids and execution status), the first page.
    public func listChangeSets(_ stackName: String) async throws -> [(id: String, name: String, executionStatus: String)] {
        try await call("ListChangeSets", [("StackName", stackName)]).list("Summaries").map { summary in
            (summary.string("ChangeSetId") ?? "", summary.string("ChangeSetName") ?? "", summary.string("ExecutionStatus") ?? "")
        }
    }

    public func executeChangeSet(_ name: String, stackName: String? = nil) async throws {
        var parameters = QueryParameters()
        parameters.add("ChangeSetName", name)
        parameters.add("StackName", stackName)
        _ = try await call("ExecuteChangeSet", parameters.pairs)
    }

    public func deleteChangeSet(_ name: String, stackName: String? = nil) async throws {
        var parameters = QueryParameters()
        parameters.add("ChangeSetName", name)
        parameters.add("StackName", stackName)
        _ = try await call("DeleteChangeSet", parameters.pairs)
    }

    /// The template as deployed (`Original`) or after transforms (`Processed`).
    public func getTemplate(_ name: String, stage: String? = nil) async throws -> String {
        var parameters = QueryParameters()
        parameters.add("StackName", name)
        parameters.add("TemplateStage", stage)
        return try await call("GetTemplate", parameters.pairs).string("TemplateBody") ?? ""
    }

    /// Every page's items of a listing: CloudFormation hands back `NextToken` until the last page.
    func pages(_ action: String, _ parameters: QueryParameters, list: String) async throws -> [XMLNode] {
        var items: [XMLNode] = []
        var token: String?
        repeat {
            var page = parameters
            page.add("NextToken", token)
            let answer = try await call(action, page.pairs)
            items += answer.list(list)
            token = answer.string("NextToken").flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return items
    }

    func call(_ action: String, _ parameters: [(String, String)]) async throws -> XMLNode {
        try await client.query(.cloudFormation, action, parameters, region: region)
    }
}
