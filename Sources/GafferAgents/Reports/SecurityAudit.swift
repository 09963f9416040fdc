import Foundation
import GafferAWS
import GafferCore

/// Reads the task's accounts and regions for what is unsafe in AWS now: open buckets, security
/// groups open to the world, IAM users and policies, public or unencrypted databases, volumes and
/// snapshots, and CloudTrail. Every finding carries its evidence and its fix; the findings on
/// resources Gaffer made are marked, since their fix belongs in the stack.
struct SecurityAudit: Sendable {
    let sources: ReportSources
    let clock: any WallClock

    /// Ports that must never be open to the world: remote administration and databases.
    static let adminPorts: [Int: String] = [22: "SSH", 3389: "RDP", 5985: "WinRM", 5986: "WinRM"]
    static let databasePorts: [Int: String] = [
        3306: "MySQL", 5432: "PostgreSQL", 1433: "SQL Server", 1521: "Oracle", 27017: "MongoDB", 6379: "Redis", 9200: "Elasticsearch",
        5439: "Redshift", 11211: "Memcached",
    ]
    static let keyAgeLimitDays = 90

    /// One family of checks, read in one account (and region, unless it is account-wide).
    enum Check: String, CaseIterable, Sendable {
        case buckets, securityGroups, iamUsers, iamPolicies, databases, volumes, snapshots, cloudTrail

        var isAccountWide: Bool { [.iamUsers, .iamPolicies].contains(self) }

        /// The checks an audit of `resource` runs (nil: every check).
        static func needed(for resource: ResourceKind?) -> [Check] {
            switch resource {
            case nil: allCases
            case .s3Bucket: [.buckets]
            case .ec2Instance: [.securityGroups, .volumes, .snapshots]
            case .vpc: [.securityGroups]
            case .rdsInstance: [.databases]
            default: []
            }
        }
    }

    func run(_ task: AwsTask) async throws -> Report {
        let scope = try await sources.scope(of: task)
        let checks = Check.needed(for: task.resource)
        var reads: [(account: String, region: String, check: Check)] = []
        for account in scope.accounts {
            for check in checks where check.isAccountWide { reads.append((account, sources.homeRegion, check)) }
            for region in scope.regions {
                for check in checks where !check.isAccountWide { reads.append((account, region, check)) }
            }
        }
        var gaps: [String] = []
        if checks.isEmpty, let resource = task.resource {
            gaps.append(
                "Gaffer has no security checks for \(resource.displayName) resources yet; an audit of all resources covers S3, EC2, VPC, RDS, IAM and CloudTrail"
            )
        }
        let now = clock.now()
        let results = try await sources.read(reads, account: { $0.account }) { read, client in
            try await Self.findings(read.check, client: client, account: read.account, region: read.region, now: now)
        }
        var findings: [AuditFinding] = []
        for (read, result) in zip(reads, results) {
            switch result {
            case .success(let found): findings += found
            case .failure(let error):
                gaps.append("\(read.check.isAccountWide ? read.account : "\(read.account) \(read.region)"): \(read.check.rawValue): \(error)")
            }
        }
        if let name = task.resourceName { findings = findings.filter { $0.resource.hasSuffix(":\(name)") || $0.resource.hasSuffix("/\(name)") } }
        let managed = Set(try await sources.registry.registeredResources().map(\.arn))
        for index in findings.indices where managed.contains(findings[index].resource) { findings[index].managed = true }
        findings.sort { ($1.severity, $0.rule, $0.resource) < ($0.severity, $1.rule, $1.resource) }
        return Report(kind: task.kind, accounts: scope.accounts, regions: scope.regions, generatedAt: now, findings: findings, gaps: gaps.sorted())
    }

    static func findings(
        _ check: Check,
        client: AWSClient,
        account: String,
        region: String,
        now: Date
    ) async throws -> [AuditFinding] {
        func finding(
            _ severity: Finding.Severity,
            _ rule: String,
            _ resource: String,
            _ evidence: String,
            fix: String,
            in place: String = region
        )
            -> AuditFinding
        {
            AuditFinding(severity: severity, rule: rule, resource: resource, region: place, account: account, evidence: evidence, fix: fix)
        }
        var found: [AuditFinding] = []
        switch check {
        case .buckets:
            let s3 = S3(client, region: region)
            for bucket in try await s3.listBuckets(inRegion: region) {
                let home = bucket.region ?? region
                let arn = "arn:aws:s3:::\(bucket.name)"
                let block = try await s3.getPublicAccessBlock(bucket.name)
                let open = block.map { block in
                    [
                        ("BlockPublicAcls", block.blockPublicAcls), ("IgnorePublicAcls", block.ignorePublicAcls),
                        ("BlockPublicPolicy", block.blockPublicPolicy),
                        ("RestrictPublicBuckets", block.restrictPublicBuckets),
                    ].filter { !$0.1 }.map(\.0)
                }
                if open == nil || open?.isEmpty == false {
                    found.append(
                        finding(
                            .high,
                            "S3-PUBLIC-ACCESS-BLOCK",
                            arn,
                            open.map { "public access block without \($0.joined(separator: ", "))" } ?? "no public access block",
                            fix: "turn on all four public access block settings (aws s3api put-public-access-block --bucket \(bucket.name) ...)",
                            in: home
                        )
                    )
                }
                if try await s3.getBucketEncryption(bucket.name) == nil {
                    found.append(
                        finding(
                            .medium,
                            "S3-ENCRYPTION",
                            arn,
                            "no default encryption",
                            fix: "set default encryption to SSE-S3 (AES256) or SSE-KMS",
                            in: home
                        )
                    )
                }
                let policy = try await s3.getBucketPolicy(bucket.name)
                if !(policy.map(Self.deniesInsecureTransport) ?? false) {
                    found.append(
                        finding(
                            .medium,
                            "S3-TLS-ONLY",
                            arn,
                            policy == nil
                                ? "no bucket policy, so plain HTTP requests are served" : "the bucket policy does not deny aws:SecureTransport false",
                            fix: "add a statement that denies s3:* when aws:SecureTransport is false",
                            in: home
                        )
                    )
                }
            }
        case .securityGroups:
            for group in try await EC2(client, region: region).describeSecurityGroups() {
                let arn = ResourceARN.of(type: "AWS::EC2::SecurityGroup", physicalID: group.groupID, account: account, region: region)
                for permission in group.ingress {
                    let world = permission.cidrs.filter { $0 == "0.0.0.0/0" || $0 == "::/0" }
                    guard !world.isEmpty else { continue }
                    let allPorts = permission.ipProtocol == "-1" || (permission.fromPort ?? 0) <= 0 && (permission.toPort ?? 65535) >= 65535
                    let range = (permission.fromPort ?? 0)...max(permission.fromPort ?? 0, permission.toPort ?? 65535)
                    let admin = adminPorts.filter { allPorts || range.contains($0.key) }.sorted { $0.key < $1.key }
                    let databases = databasePorts.filter { allPorts || range.contains($0.key) }.sorted { $0.key < $1.key }
                    let ports =
                        allPorts ? "every port" : range.count == 1 ? "port \(range.lowerBound)" : "ports \(range.lowerBound)-\(range.upperBound)"
                    if !databases.isEmpty {
                        found.append(
                            finding(
                                .critical,
                                "SG-OPEN-DATABASE",
                                arn,
                                "\(group.groupName) allows \(world.joined(separator: " and ")) on \(ports) (\(databases.map(\.value).joined(separator: ", ")))",
                                fix: "remove the rule; allow the database port only from the application's security group"
                            )
                        )
                    }
                    if !admin.isEmpty {
                        found.append(
                            finding(
                                .high,
                                "SG-OPEN-ADMIN",
                                arn,
                                "\(group.groupName) allows \(world.joined(separator: " and ")) on \(ports) (\(admin.map(\.value).joined(separator: ", ")))",
                                fix: "remove the rule; reach instances through SSM Session Manager or a VPN's address range"
                            )
                        )
                    }
                }
            }
        case .iamUsers:
            let iam = IAM(client)
            for user in try await iam.listUsers() {
                if try await iam.listMFADevices(user.userName).isEmpty {
                    found.append(
                        finding(
                            .medium,
                            "IAM-USER-NO-MFA",
                            user.arn,
                            "\(user.userName) has no MFA device",
                            fix: "assign an MFA device, or replace the user with SSO",
                            in: "global"
                        )
                    )
                }
                for key in try await iam.listAccessKeys(user.userName) where key.status == "Active" {
                    guard let created = key.createDate else { continue }
                    let days = Int(now.timeIntervalSince(created) / 86_400)
                    guard days > keyAgeLimitDays else { continue }
                    found.append(
                        finding(
                            .medium,
                            "IAM-OLD-ACCESS-KEY",
                            user.arn,
                            "\(user.userName)'s access key \(key.accessKeyID.prefix(8))… is \(days) days old",
                            fix: "rotate the key (create a new one, move its users, deactivate and delete the old one), or use roles instead",
                            in: "global"
                        )
                    )
                }
            }
        case .iamPolicies:
            let iam = IAM(client)
            for policy in try await iam.listLocalPolicies() {
                let document = try await iam.getPolicyVersion(policyARN: policy.arn, versionID: policy.defaultVersionID)
                let wide = Self.wildcardActions(document)
                guard !wide.isEmpty else { continue }
                found.append(
                    finding(
                        .high,
                        "IAM-WILDCARD-ACTION",
                        policy.arn,
                        "\(policy.policyName) allows \(wide.joined(separator: ", "))",
                        fix: "name the actions the policy's users need instead of a wildcard",
                        in: "global"
                    )
                )
            }
        case .databases:
            for database in try await RDS(client, region: region).describeDBInstances() {
                let arn =
                    database.arn ?? ResourceARN.of(type: "AWS::RDS::DBInstance", physicalID: database.identifier, account: account, region: region)
                if database.publiclyAccessible {
                    found.append(
                        finding(
                            .high,
                            "RDS-PUBLIC",
                            arn,
                            "\(database.identifier) is publicly accessible",
                            fix: "set PubliclyAccessible to false and reach it from inside the VPC"
                        )
                    )
                }
                if !database.storageEncrypted {
                    found.append(
                        finding(
                            .high,
                            "RDS-UNENCRYPTED",
                            arn,
                            "\(database.identifier) stores data unencrypted",
                            fix: "restore an encrypted copy from a snapshot (encryption cannot be turned on in place)"
                        )
                    )
                }
            }
        case .volumes:
            for volume in try await EC2(client, region: region).describeVolumes() where !volume.encrypted {
                let arn = ResourceARN.of(type: "AWS::EC2::Volume", physicalID: volume.volumeID, account: account, region: region)
                found.append(
                    finding(
                        .medium,
                        "EBS-UNENCRYPTED",
                        arn,
                        "\(volume.volumeID) (\(volume.sizeGiB) GiB) is not encrypted",
                        fix: "copy it through an encrypted snapshot, and turn on EBS encryption by default"
                    )
                )
            }
        case .snapshots:
            let ec2 = EC2(client, region: region)
            // AWS lists the public ones on request; each is confirmed, since not every endpoint honours the filter.
            let candidates = Set(try await ec2.describeSnapshots(restorableBy: "all").map(\.snapshotID))
            for snapshot in try await ec2.describeSnapshots() {
                let arn = "arn:aws:ec2:\(region)::snapshot/\(snapshot.snapshotID)"
                if candidates.contains(snapshot.snapshotID), try await ec2.snapshotIsPublic(snapshot.snapshotID) {
                    found.append(
                        finding(
                            .critical,
                            "EBS-SNAPSHOT-PUBLIC",
                            arn,
                            "\(snapshot.snapshotID) can be copied by any AWS account",
                            fix: "remove the `all` group from its createVolumePermission"
                        )
                    )
                }
                if !snapshot.encrypted {
                    found.append(
                        finding(
                            .low,
                            "EBS-SNAPSHOT-UNENCRYPTED",
                            arn,
                            "\(snapshot.snapshotID) is not encrypted",
                            fix: "copy it with encryption on and delete the plain copy"
                        )
                    )
                }
            }
        case .cloudTrail:
            let trail = CloudTrail(client, region: region)
            var logging: [String] = []
            for entry in try await trail.describeTrails() where try await trail.isLogging(entry.trailARN ?? entry.name) {
                logging.append(entry.name)
            }
            if logging.isEmpty {
                found.append(
                    finding(
                        .high,
                        "CLOUDTRAIL-OFF",
                        "arn:aws:cloudtrail:\(region):\(account):trail/*",
                        "no trail records API calls in \(region)",
                        fix: "create a multi-region trail that logs to an encrypted bucket, and start logging"
                    )
                )
            }
        }
        return found
    }

    /// Whether a bucket policy denies requests made without TLS.
    static func deniesInsecureTransport(_ policy: String) -> Bool {
        statements(policy).contains { statement in
            guard statement["Effect"] as? String == "Deny", let condition = statement["Condition"] as? [String: Any] else { return false }
            return condition.values.contains { value in
                guard let test = value as? [String: Any], let secure = test["aws:SecureTransport"] else { return false }
                return "\(secure)".lowercased().contains("false") || (secure as? Bool) == false
            }
        }
    }

    /// The wildcard actions (`*`, `s3:*`, `ec2:Delete*`) a policy allows: every one covers writes.
    static func wildcardActions(_ policy: String) -> [String] {
        var wide: [String] = []
        for statement in statements(policy) where statement["Effect"] as? String == "Allow" {
            let actions = (statement["Action"] as? [String]) ?? (statement["Action"] as? String).map { [$0] } ?? []
            for action in actions where action == "*" || action.hasSuffix(":*") || Self.writePrefixes.contains(where: { action.hasSuffix(":\($0)*") })
            {
                if !wide.contains(action) { wide.append(action) }
            }
        }
        return wide
    }

    static let writePrefixes = ["Put", "Delete", "Create", "Update", "Modify", "Attach", "Terminate"]

    private static func statements(_ policy: String) -> [[String: Any]] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(policy.utf8)) as? [String: Any] else { return [] }
        if let list = object["Statement"] as? [[String: Any]] { return list }
        if let single = object["Statement"] as? [String: Any] { return [single] }
        return []
    }
}
