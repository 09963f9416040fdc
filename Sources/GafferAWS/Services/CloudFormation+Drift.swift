import Foundation

/// CloudFormation's drift detection: it compares each resource of a stack with its template,
/// asynchronously. It changes nothing, and AWS's ReadOnlyAccess policy allows it.
extension CloudFormation {
    public struct DriftDetection: Sendable, Equatable {
        /// DETECTION_IN_PROGRESS, DETECTION_COMPLETE or DETECTION_FAILED.
        public let status: String
        /// DRIFTED, IN_SYNC, UNKNOWN or NOT_CHECKED, once detection ends.
        public let stackDriftStatus: String?
        public let reason: String?
    }

    /// One resource's drift: MODIFIED, DELETED, IN_SYNC or NOT_CHECKED, with what differs.
    public struct ResourceDrift: Sendable, Equatable {
        public let logicalResourceID: String
        public let physicalResourceID: String?
        public let resourceType: String
        public let status: String
        public let differences: [PropertyDifference]
    }

    public struct PropertyDifference: Sendable, Equatable {
        /// A JSON pointer into the resource's properties, such as `/VersioningConfiguration/Status`.
        public let path: String
        public let expected: String?
        public let actual: String?
        /// ADD, REMOVE or NOT_EQUAL.
        public let type: String
    }

    /// Starts a detection and returns its id.
    public func detectStackDrift(_ name: String) async throws -> String {
        try await call("DetectStackDrift", [("StackName", name)]).string("StackDriftDetectionId") ?? ""
    }

    public func describeStackDriftDetectionStatus(_ id: String) async throws -> DriftDetection {
        let result = try await call("DescribeStackDriftDetectionStatus", [("StackDriftDetectionId", id)])
        return DriftDetection(
            status: result.string("DetectionStatus") ?? "",
            stackDriftStatus: result.string("StackDriftStatus"),
            reason: result.string("DetectionStatusReason")
        )
    }

    /// Every resource's drift from the stack's latest detection, page by page.
    public func describeStackResourceDrifts(_ name: String) async throws -> [ResourceDrift] {
        var parameters = QueryParameters()
        parameters.add("StackName", name)
        return try await pages("DescribeStackResourceDrifts", parameters, list: "StackResourceDrifts").map { drift in
            ResourceDrift(
                logicalResourceID: drift.string("LogicalResourceId") ?? "",
                physicalResourceID: drift.string("PhysicalResourceId"),
                resourceType: drift.string("ResourceType") ?? "",
                status: drift.string("StackResourceDriftStatus") ?? "",
                differences: drift.list("PropertyDifferences").map { difference in
                    PropertyDifference(
                        path: difference.string("PropertyPath") ?? "",
                        expected: difference.string("ExpectedValue"),
                        actual: difference.string("ActualValue"),
                        type: difference.string("DifferenceType") ?? ""
                    )
                }
            )
        }
    }
}
