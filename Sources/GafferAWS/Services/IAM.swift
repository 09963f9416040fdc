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

    public struct User: Sendable {
        public let userName: String
        public let arn: String
    }

    public struct AccessKey: Sendable {
        public let accessKeyID: String
        public let status: String
        public let createDate: Date?
    }

    /// A customer-managed policy and the id of its version in force.
    public struct Policy: Sendable {
        public let policyName: String
        public let arn: String
        public let defaultVersionID: String
        public let attachmentCount: Int
    }

    /// Every IAM user, page by page.
    public func listUsers() async throws -> [User] {
        try await pages("ListUsers", QueryParameters(), list: "Users").map {
            User(userName: $0.string("UserName") ?? "", arn: $0.string("Arn") ?? "")
        }
    }

    /// The user's MFA devices' serial numbers.
    public func listMFADevices(_ userName: String) async throws -> [String] {
        var parameters = QueryParameters()
        parameters.add("UserName", userName)
        return try await pages("ListMFADevices", parameters, list: "MFADevices").compactMap { $0.string("SerialNumber") }
    }

    public func listAccessKeys(_ userName: String) async throws -> [AccessKey] {
        var parameters = QueryParameters()
        parameters.add("UserName", userName)
        return try await pages("ListAccessKeys", parameters, list: "AccessKeyMetadata").map {
            AccessKey(
                accessKeyID: $0.string("AccessKeyId") ?? "",
                status: $0.string("Status") ?? "",
                createDate: $0.string("CreateDate").flatMap(parseISO8601)
            )
        }
    }

    /// The account's own (customer-managed) policies, page by page.
    public func listLocalPolicies() async throws -> [Policy] {
        var parameters = QueryParameters()
        parameters.add("Scope", "Local")
        return try await pages("ListPolicies", parameters, list: "Policies").map {
            Policy(
                policyName: $0.string("PolicyName") ?? "",
                arn: $0.string("Arn") ?? "",
                defaultVersionID: $0.string("DefaultVersionId") ?? "v1",
                attachmentCount: $0.int("AttachmentCount") ?? 0
            )
        }
    }

    private func pages(_ action: String, _ parameters: QueryParameters, list: String) async throws -> [XMLNode] {
        var items: [XMLNode] = []
        var marker: String?
        repeat {
            var page = parameters
            page.add("Marker", marker)
            let result = try await call(action, page)
            items += result.list(list)
            marker = result.bool("IsTruncated") == true ? result.string("Marker") : nil
        } while marker != nil
        return items
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
