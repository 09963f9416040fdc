import Foundation

/// Amazon EC2 (its own query dialect: `Name.N` lists, `item` entries, camelCase answers).
public struct EC2: Sendable {
    public let client: AWSClient
    public var region: String?

    public init(_ client: AWSClient, region: String? = nil) {
        self.client = client
        self.region = region
    }

    /// `Filter.N.Name` and its values, such as `tag:team` = [`web`] or `instance-state-name` = [`running`].
    public typealias Filters = [String: [String]]

    public struct Instance: Sendable {
        public let instanceID: String
        public let instanceType: String
        public let state: String
        public let availabilityZone: String?
        public let privateIPAddress: String?
        public let publicIPAddress: String?
        public let launchTime: String?
        public let tags: [String: String]
    }

    public struct Volume: Sendable {
        public let volumeID: String
        public let sizeGiB: Int
        public let volumeType: String
        public let state: String
        public let encrypted: Bool
        /// The instances it is attached to; empty for an unattached volume (a cost finding).
        public let attachedTo: [String]
        public let tags: [String: String]
    }

    public struct SecurityGroup: Sendable {
        public let groupID: String
        public let groupName: String
        public let vpcID: String?
        public let ingress: [Permission]
    }

    public struct Permission: Sendable, Equatable {
        public let ipProtocol: String
        public let fromPort: Int?
        public let toPort: Int?
        public let cidrs: [String]
    }

    public struct Address: Sendable {
        public let publicIP: String
        public let allocationID: String?
        /// Nil for an address attached to nothing (a cost finding).
        public let associationID: String?
        public let instanceID: String?
    }

    public struct VPC: Sendable {
        public let vpcID: String
        public let cidrBlock: String
        public let isDefault: Bool
        public let tags: [String: String]
    }

    public struct Snapshot: Sendable {
        public let snapshotID: String
        public let volumeID: String?
        public let sizeGiB: Int
        public let encrypted: Bool
        public let startTime: Date?
        public let tags: [String: String]
    }

    /// One instance's status checks: `ok`, `impaired`, `initializing`, `insufficient-data` or `not-applicable`.
    public struct InstanceStatus: Sendable {
        public let instanceID: String
        public let state: String
        public let systemStatus: String
        public let instanceStatus: String
    }

    public struct StateChange: Sendable, Equatable {
        public let instanceID: String
        public let previousState: String
        public let currentState: String
    }

    public func describeInstances(ids: [String] = [], filters: Filters = [:]) async throws -> [Instance] {
        var parameters = QueryParameters()
        parameters.list("InstanceId", ids, member: nil)
        Self.add(filters, to: &parameters)
        return try await pages("DescribeInstances", parameters).flatMap { $0.list("reservationSet") }.flatMap { $0.list("instancesSet") }.map {
            item in
            Instance(
                instanceID: item.string("instanceId") ?? "",
                instanceType: item.string("instanceType") ?? "",
                state: item.at("instanceState", "name")?.text ?? "",
                availabilityZone: item.at("placement", "availabilityZone")?.text,
                privateIPAddress: item.string("privateIpAddress"),
                publicIPAddress: item.string("ipAddress"),
                launchTime: item.string("launchTime"),
                tags: item.tags("tagSet", key: "key", value: "value")
            )
        }
    }

    public func describeVolumes(ids: [String] = [], filters: Filters = [:]) async throws -> [Volume] {
        var parameters = QueryParameters()
        parameters.list("VolumeId", ids, member: nil)
        Self.add(filters, to: &parameters)
        return try await pages("DescribeVolumes", parameters).flatMap { $0.list("volumeSet") }.map { item in
            Volume(
                volumeID: item.string("volumeId") ?? "",
                sizeGiB: item.int("size") ?? 0,
                volumeType: item.string("volumeType") ?? "",
                state: item.string("status") ?? "",
                encrypted: item.bool("encrypted") ?? false,
                attachedTo: item.list("attachmentSet").compactMap { $0.string("instanceId") },
                tags: item.tags("tagSet", key: "key", value: "value")
            )
        }
    }

    public func describeSecurityGroups(ids: [String] = [], filters: Filters = [:]) async throws -> [SecurityGroup] {
        var parameters = QueryParameters()
        parameters.list("GroupId", ids, member: nil)
        Self.add(filters, to: &parameters)
        return try await pages("DescribeSecurityGroups", parameters).flatMap { $0.list("securityGroupInfo") }.map { item in
            SecurityGroup(
                groupID: item.string("groupId") ?? "",
                groupName: item.string("groupName") ?? "",
                vpcID: item.string("vpcId"),
                ingress: item.list("ipPermissions").map { permission in
                    Permission(
                        ipProtocol: permission.string("ipProtocol") ?? "",
                        fromPort: permission.int("fromPort"),
                        toPort: permission.int("toPort"),
                        cidrs: permission.list("ipRanges").compactMap { $0.string("cidrIp") }
                            + permission.list("ipv6Ranges").compactMap { $0.string("cidrIpv6") }
                    )
                }
            )
        }
    }

    public func describeVpcs() async throws -> [VPC] {
        try await pages("DescribeVpcs", QueryParameters()).flatMap { $0.list("vpcSet") }.map { item in
            VPC(
                vpcID: item.string("vpcId") ?? "",
                cidrBlock: item.string("cidrBlock") ?? "",
                isDefault: item.bool("isDefault") ?? false,
                tags: item.tags("tagSet", key: "key", value: "value")
            )
        }
    }

    /// The account's own snapshots (not the public ones others share); `restorableBy: "all"` asks
    /// for only those any account may restore (the public ones).
    public func describeSnapshots(ids: [String] = [], restorableBy: String? = nil) async throws -> [Snapshot] {
        var parameters = QueryParameters()
        parameters.list("Owner", ["self"], member: nil)
        if !ids.isEmpty { parameters.list("SnapshotId", ids, member: nil) }
        if let restorableBy { parameters.list("RestorableBy", [restorableBy], member: nil) }
        return try await pages("DescribeSnapshots", parameters).flatMap { $0.list("snapshotSet") }.map { item in
            Snapshot(
                snapshotID: item.string("snapshotId") ?? "",
                volumeID: item.string("volumeId"),
                sizeGiB: item.int("volumeSize") ?? 0,
                encrypted: item.bool("encrypted") ?? false,
                startTime: item.string("startTime").flatMap(parseISO8601),
                tags: item.tags("tagSet", key: "key", value: "value")
            )
        }
    }

    /// Who may create volumes from the snapshot: `all` in the answer makes it public.
    public func snapshotIsPublic(_ id: String) async throws -> Bool {
        var parameters = QueryParameters()
        parameters.add("SnapshotId", id)
        parameters.add("Attribute", "createVolumePermission")
        return try await call("DescribeSnapshotAttribute", parameters).list("createVolumePermission").contains { $0.string("group") == "all" }
    }

    /// Status checks of every instance, running or not.
    public func describeInstanceStatus() async throws -> [InstanceStatus] {
        var parameters = QueryParameters()
        parameters.add("IncludeAllInstances", "true")
        return try await pages("DescribeInstanceStatus", parameters).flatMap { $0.list("instanceStatusSet") }.map { item in
            InstanceStatus(
                instanceID: item.string("instanceId") ?? "",
                state: item.at("instanceState", "name")?.text ?? "",
                systemStatus: item.at("systemStatus", "status")?.text ?? "",
                instanceStatus: item.at("instanceStatus", "status")?.text ?? ""
            )
        }
    }

    public func describeAddresses() async throws -> [Address] {
        try await call("DescribeAddresses", QueryParameters()).list("addressesSet").map { item in
            Address(
                publicIP: item.string("publicIp") ?? "",
                allocationID: item.string("allocationId"),
                associationID: item.string("associationId"),
                instanceID: item.string("instanceId").flatMap { $0.isEmpty ? nil : $0 }
            )
        }
    }

    public func startInstances(_ ids: [String]) async throws -> [StateChange] {
        try await changeState("StartInstances", ids)
    }

    public func stopInstances(_ ids: [String]) async throws -> [StateChange] {
        try await changeState("StopInstances", ids)
    }

    public func rebootInstances(_ ids: [String]) async throws {
        var parameters = QueryParameters()
        parameters.list("InstanceId", ids, member: nil)
        _ = try await call("RebootInstances", parameters)
    }

    public func releaseAddress(allocationID: String) async throws {
        var parameters = QueryParameters()
        parameters.add("AllocationId", allocationID)
        _ = try await call("ReleaseAddress", parameters)
    }

    /// Returns the snapshot's id.
    public func createSnapshot(volumeID: String, description: String) async throws -> String {
        var parameters = QueryParameters()
        parameters.add("VolumeId", volumeID)
        parameters.add("Description", description)
        return try await call("CreateSnapshot", parameters).string("snapshotId") ?? ""
    }

    public func deleteVolume(_ id: String) async throws {
        var parameters = QueryParameters()
        parameters.add("VolumeId", id)
        _ = try await call("DeleteVolume", parameters)
    }

    public func deleteSnapshot(_ id: String) async throws {
        var parameters = QueryParameters()
        parameters.add("SnapshotId", id)
        _ = try await call("DeleteSnapshot", parameters)
    }

    public func createTags(resources: [String], tags: [String: String]) async throws {
        var parameters = QueryParameters()
        parameters.list("ResourceId", resources, member: nil)
        parameters.tags("Tag", tags, member: nil)
        _ = try await call("CreateTags", parameters)
    }

    /// The regions this account can use (opted-in ones only, as EC2 answers by default).
    public func describeRegions() async throws -> [String] {
        try await call("DescribeRegions", QueryParameters()).list("regionInfo").compactMap { $0.string("regionName") }
    }

    private func changeState(_ action: String, _ ids: [String]) async throws -> [StateChange] {
        var parameters = QueryParameters()
        parameters.list("InstanceId", ids, member: nil)
        return try await call(action, parameters).list("instancesSet").map { item in
            StateChange(
                instanceID: item.string("instanceId") ?? "",
                previousState: item.at("previousState", "name")?.text ?? "",
                currentState: item.at("currentState", "name")?.text ?? ""
            )
        }
    }

    private static func add(_ filters: Filters, to parameters: inout QueryParameters) {
        for (index, (name, values)) in filters.sorted(by: { $0.key < $1.key }).enumerated() {
            parameters.add("Filter.\(index + 1).Name", name)
            parameters.list("Filter.\(index + 1).Value", values, member: nil)
        }
    }

    /// Every page of a listing: EC2 hands back `nextToken` until the last one.
    private func pages(_ action: String, _ parameters: QueryParameters) async throws -> [XMLNode] {
        var pages: [XMLNode] = []
        var token: String?
        repeat {
            var page = parameters
            page.add("NextToken", token)
            let answer = try await call(action, page)
            pages.append(answer)
            token = answer.string("nextToken").flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return pages
    }

    private func call(_ action: String, _ parameters: QueryParameters) async throws -> XMLNode {
        try await client.query(.ec2, action, parameters.pairs, region: region)
    }
}
