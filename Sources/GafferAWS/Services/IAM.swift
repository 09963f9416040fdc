import Foundation

/// AWS Identity and Access Management (query protocol, one global endpoint).
public struct IAM: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) {
        self.client = client
    }

    public struct Role: Sendable {
        public let roleName: String
        public let arn: String
        public let path: String
        /// The trust policy, URL-decoded JSON.
        public let assumeRolePolicyDocument: String?
    }

    public struct AttachedPolicy: Sendable, Equatable {
        public let policyName: String
        public let policyARN: String
    }

    public struct RolePage: Sendable {
        public let roles: [Role]
        public let marker: String?
    }

    public func listRoles(pathPrefix: String? = nil, marker: String? = nil) async throws -> RolePage {
        var parameters = QueryParameters()
        parameters.add("PathPrefix", pathPrefix)
        parameters.add("Marker", marker)
        let result = try await call("ListRoles", parameters)
        return RolePage(
            roles: result.list("Roles").map { role in
                Role(
                    roleName: role.string("RoleName") ?? "",
                    arn: role.string("Arn") ?? "",
                    path: role.string("Path") ?? "/",
                    assumeRolePolicyDocument: role.string("AssumeRolePolicyDocument").map { $0.removingPercentEncoding ?? $0 }
                )
            },
            marker: result.bool("IsTruncated") == true ? result.string("Marker") : nil
        )
    }

    public func listAttachedRolePolicies(_ roleName: String) async throws -> [AttachedPolicy] {
        var parameters = QueryParameters()
        parameters.add("RoleName", roleName)
        return try await call("ListAttachedRolePolicies", parameters).list("AttachedPolicies").map {
            AttachedPolicy(policyName: $0.string("PolicyName") ?? "", policyARN: $0.string("PolicyArn") ?? "")
        }
    }

    /// A policy version's document as JSON text (IAM sends it URL-encoded).
    public func getPolicyVersion(policyARN: String, versionID: String) async throws -> String {
        var parameters = QueryParameters()
        parameters.add("PolicyArn", policyARN)
        parameters.add("VersionId", versionID)
        let document = try await call("GetPolicyVersion", parameters).at("PolicyVersion", "Document")?.text ?? ""
        return document.removingPercentEncoding ?? document
    }

    private func call(_ action: String, _ parameters: QueryParameters) async throws -> XMLNode {
        try await client.query(.iam, action, parameters.pairs)
    }
}
