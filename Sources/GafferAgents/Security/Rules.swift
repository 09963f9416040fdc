import GafferCore

/// An S3 bucket without all four public access blocks.
struct PublicBucketRule: SecurityRule {
    let id = "GAFFER-S3-PUBLIC"

    func check(_ document: CloudFormationDocument) -> [RuleHit] {
        document.resources(ofType: "AWS::S3::Bucket").compactMap { bucket in
            let block = bucket.properties?["PublicAccessBlockConfiguration"]
            let keys = ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"]
            let open = keys.filter { block?[$0]?.bool != true }
            guard !open.isEmpty else { return nil }
            return RuleHit(
                .high,
                bucket,
                line: bucket.line(of: "PublicAccessBlockConfiguration"),
                "the bucket \(bucket.logicalID) can be made public (\(open.joined(separator: ", ")) not set)",
                fix: "set all four PublicAccessBlockConfiguration settings to true (blockPublicAccess: true)",
                parameterFix: ("blockPublicAccess", "true")
            )
        }
    }
}

/// Data at rest without encryption: buckets, tables, databases, topics, volumes.
struct MissingEncryptionRule: SecurityRule {
    let id = "GAFFER-ENCRYPTION"

    func check(_ document: CloudFormationDocument) -> [RuleHit] {
        var hits: [RuleHit] = []
        for resource in document.resources {
            let properties = resource.properties
            switch resource.type {
            case "AWS::S3::Bucket" where properties?["BucketEncryption"] == nil:
                hits.append(
                    RuleHit(
                        .high,
                        resource,
                        "the bucket \(resource.logicalID) has no default encryption",
                        fix: "add BucketEncryption with SSEAlgorithm AES256 or aws:kms (encryption: AES256)",
                        parameterFix: ("encryption", "AES256")
                    )
                )
            case "AWS::DynamoDB::Table" where properties?.at("SSESpecification", "SSEEnabled")?.bool != true:
                hits.append(
                    RuleHit(
                        .high,
                        resource,
                        line: resource.line(of: "SSESpecification"),
                        "the table \(resource.logicalID) is not encrypted with KMS",
                        fix: "set SSESpecification.SSEEnabled: true"
                    )
                )
            case "AWS::RDS::DBInstance" where properties?["StorageEncrypted"]?.bool != true:
                hits.append(
                    RuleHit(
                        .high,
                        resource,
                        line: resource.line(of: "StorageEncrypted"),
                        "the database \(resource.logicalID) stores data unencrypted",
                        fix: "set StorageEncrypted: true"
                    )
                )
            case "AWS::SNS::Topic" where properties?["KmsMasterKeyId"] == nil:
                hits.append(
                    RuleHit(
                        .medium,
                        resource,
                        "the topic \(resource.logicalID) is not encrypted at rest",
                        fix: "set KmsMasterKeyId: alias/aws/sns"
                    )
                )
            case "AWS::EC2::Instance":
                let volumes = properties?["BlockDeviceMappings"]?.items ?? []
                if volumes.isEmpty || volumes.contains(where: { $0["Ebs"] != nil && $0.at("Ebs", "Encrypted")?.bool != true }) {
                    hits.append(
                        RuleHit(
                            .high,
                            resource,
                            line: resource.line(of: "BlockDeviceMappings"),
                            "the instance \(resource.logicalID) has an unencrypted root volume",
                            fix: "add BlockDeviceMappings for the root device with Ebs.Encrypted: true"
                        )
                    )
                }
            case "AWS::EC2::Volume" where properties?["Encrypted"]?.bool != true:
                hits.append(RuleHit(.high, resource, "the volume \(resource.logicalID) is not encrypted", fix: "set Encrypted: true"))
            default:
                break
            }
        }
        return hits
    }
}

/// SSH, RDP or a database port open to the whole internet.
struct OpenAdminPortRule: SecurityRule {
    let id = "GAFFER-OPEN-ADMIN-PORT"
    static let adminPorts = [22: "SSH", 3389: "RDP", 3306: "MySQL", 5432: "PostgreSQL", 1433: "SQL Server", 6379: "Redis"]

    func check(_ document: CloudFormationDocument) -> [RuleHit] {
        var hits: [RuleHit] = []
        for resource in document.resources {
            let rules: [TemplateNode]
            switch resource.type {
            case "AWS::EC2::SecurityGroup": rules = resource.properties?["SecurityGroupIngress"]?.items ?? []
            case "AWS::EC2::SecurityGroupIngress": rules = resource.properties.map { [$0] } ?? []
            default: continue
            }
            for rule in rules {
                let world = rule["CidrIp"]?.string == "0.0.0.0/0" || rule["CidrIpv6"]?.string == "::/0"
                guard world else { continue }
                let allProtocols = rule["IpProtocol"]?.string == "-1"
                let from = rule["FromPort"]?.int ?? 0
                let to = rule["ToPort"]?.int ?? 65_535
                for (port, name) in Self.adminPorts.sorted(by: { $0.key < $1.key }) where allProtocols || (from...max(from, to)).contains(port) {
                    hits.append(
                        RuleHit(
                            .critical,
                            resource,
                            line: rule.line,
                            "\(resource.logicalID) opens \(name) (port \(port)) to the whole internet",
                            fix: "allow port \(port) only from your own network's CIDR, or use SSM Session Manager instead"
                        )
                    )
                }
            }
        }
        return hits
    }
}

/// An IAM policy that allows every action, or a write on every resource.
struct IAMWildcardRule: SecurityRule {
    let id = "GAFFER-IAM-WILDCARD"
    /// Actions AWS lets no policy scope to a resource; `*` is the only resource they take.
    static let unscopable: Set<String> = [
        "xray:PutTraceSegments", "xray:PutTelemetryRecords", "cloudwatch:PutMetricData", "logs:CreateLogGroup",
        "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
    ]
    static let readVerbs = ["Describe", "List", "Get", "BatchGet", "Query", "Scan", "Head"]

    func check(_ document: CloudFormationDocument) -> [RuleHit] {
        var hits: [RuleHit] = []
        for resource in document.resources {
            var documents: [TemplateNode] = []
            switch resource.type {
            case "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group":
                documents = (resource.properties?["Policies"]?.items ?? []).compactMap { $0["PolicyDocument"] }
            case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
                documents = [resource.properties?["PolicyDocument"]].compactMap { $0 }
            default:
                continue
            }
            for statement in documents.flatMap({ $0["Statement"]?.items ?? [] }) where statement["Effect"]?.string == "Allow" {
                let actions = statement["Action"]?.strings ?? []
                if let wildcard = actions.first(where: { $0 == "*" || $0.hasSuffix(":*") }) {
                    hits.append(
                        RuleHit(
                            .high,
                            resource,
                            line: statement.line,
                            "\(resource.logicalID) allows every action (\(wildcard))",
                            fix: "list the actions the code calls instead of \(wildcard)"
                        )
                    )
                    continue
                }
                let resources = statement["Resource"]?.strings ?? []
                let writes = actions.filter { action in
                    let verb = action.split(separator: ":").last.map(String.init) ?? action
                    return !Self.unscopable.contains(action) && !Self.readVerbs.contains(where: verb.hasPrefix)
                }
                if resources.contains("*"), !writes.isEmpty {
                    hits.append(
                        RuleHit(
                            .high,
                            resource,
                            line: statement.line,
                            "\(resource.logicalID) allows \(writes.joined(separator: ", ")) on every resource (*)",
                            fix: "name the resources those actions may change (an ARN or !GetAtt), not *"
                        )
                    )
                }
            }
        }
        return hits
    }
}

/// A database reachable from the internet.
struct PublicDatabaseRule: SecurityRule {
    let id = "GAFFER-RDS-PUBLIC"

    func check(_ document: CloudFormationDocument) -> [RuleHit] {
        document.resources.filter { ["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"].contains($0.type) }.compactMap { database in
            guard database.properties?["PubliclyAccessible"]?.bool == true else { return nil }
            return RuleHit(
                .critical,
                database,
                line: database.line(of: "PubliclyAccessible"),
                "the database \(database.logicalID) has a public address",
                fix: "set PubliclyAccessible: false"
            )
        }
    }
}

/// An instance that answers IMDSv1, whose tokens a server-side request forgery can steal.
struct InstanceMetadataV1Rule: SecurityRule {
    let id = "GAFFER-EC2-IMDSV1"

    func check(_ document: CloudFormationDocument) -> [RuleHit] {
        let requiring = Set(
            document.resources(ofType: "AWS::EC2::LaunchTemplate").filter {
                $0.properties?.at("LaunchTemplateData", "MetadataOptions", "HttpTokens")?.string == "required"
            }.map(\.logicalID)
        )
        return document.resources(ofType: "AWS::EC2::Instance").compactMap { instance in
            let template = instance.properties?.at("LaunchTemplate", "LaunchTemplateId")?.reference
            guard template.map({ !requiring.contains($0) }) ?? true else { return nil }
            return RuleHit(
                .high,
                instance,
                "the instance \(instance.logicalID) allows IMDSv1",
                fix: "launch it from a LaunchTemplate with MetadataOptions.HttpTokens: required"
            )
        }
    }
}

/// Logs kept forever, or a function writing to a log group the stack does not manage.
struct LogRetentionRule: SecurityRule {
    let id = "GAFFER-LOG-RETENTION"

    func check(_ document: CloudFormationDocument) -> [RuleHit] {
        var hits = document.resources(ofType: "AWS::Logs::LogGroup").compactMap { group -> RuleHit? in
            guard group.properties?["RetentionInDays"] == nil else { return nil }
            return RuleHit(.medium, group, "the log group \(group.logicalID) keeps logs forever", fix: "set RetentionInDays (30 is usual)")
        }
        for function in document.resources(ofType: "AWS::Lambda::Function") {
            let group = function.properties?.at("LoggingConfig", "LogGroup")?.reference
            if group.flatMap(document.resource) == nil {
                hits.append(
                    RuleHit(
                        .medium,
                        function,
                        "the function \(function.logicalID) logs to a group with no retention",
                        fix: "add an AWS::Logs::LogGroup with RetentionInDays and point LoggingConfig.LogGroup at it"
                    )
                )
            }
        }
        return hits
    }
}

/// Data that a stack deletion or a replacement would destroy.
struct DataDeletionPolicyRule: SecurityRule {
    let id = "GAFFER-DELETION-POLICY"
    static let dataTypes: Set<String> = [
        "AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::EFS::FileSystem",
    ]
    static let keeping: Set<String> = ["Retain", "Snapshot", "RetainExceptOnCreate"]

    func check(_ document: CloudFormationDocument) -> [RuleHit] {
        document.resources.filter { Self.dataTypes.contains($0.type) }.compactMap { resource in
            let missing = [("DeletionPolicy", resource.deletionPolicy), ("UpdateReplacePolicy", resource.updateReplacePolicy)]
                .filter { !Self.keeping.contains($0.1 ?? "") }.map(\.0)
            guard !missing.isEmpty else { return nil }
            return RuleHit(
                .high,
                resource,
                "\(resource.logicalID) holds data but \(missing.joined(separator: " and ")) would delete it",
                fix: "set \(missing.map { "\($0): Retain" }.joined(separator: " and ")) (or Snapshot where supported)"
            )
        }
    }
}
