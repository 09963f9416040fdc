import Foundation
import GafferAWS
import GafferCore

/// Judges each resource a discovery finds as Healthy, Degraded, Unhealthy or Unknown, from what AWS
/// reports now: EC2 status checks, the last hour's Lambda errors and throttles and DynamoDB
/// throttling, RDS status, CPU and free storage, ECS running against desired, alarms in ALARM, and
/// stacks left failed or rolled back; and the drift of what Gaffer made from its stacks
/// (`DriftCheck`). The evidence goes with each verdict.
struct HealthCheck: Sendable {
    let sources: ReportSources
    let clock: any WallClock

    /// How far back metrics are read.
    static let window: TimeInterval = 3600

    func run(_ task: AwsTask) async throws -> Report {
        var report = try await Discovery(sources: sources, clock: clock).run(task)
        let places = Set(report.resources.filter { !$0.gone }.map { "\($0.account)|\($0.region)" }).sorted()
        let sources = self.sources
        let end = clock.now()
        let resources = report.resources
        let present = Set(resources.filter { $0.managed && !$0.gone }.map(\.arn))
        let registered = try await sources.registry.registeredResources().filter { present.contains($0.arn) }
        let results = await sources.each(places) { place -> Result<[String: Verdict], any Error> in
            let parts = place.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            let here = resources.filter { !$0.gone && $0.account == parts[0] && $0.region == parts[1] }
            do {
                let client = try await sources.accounts.client(for: parts[0])
                var verdicts = try await Self.verdicts(for: here, client: client, region: parts[1], end: end)
                let stacks = registered.filter { $0.stack.account == parts[0] && $0.stack.region == parts[1] }
                for (arn, drift) in try await DriftCheck.check(stacks, client: client, region: parts[1]) {
                    var verdict = verdicts[arn] ?? Verdict(.unknown)
                    if drift.differences.isEmpty {
                        let method = drift.fallback.map { "; compared by Gaffer, as CloudFormation drift detection failed: \($0)" } ?? ""
                        verdict.add(.healthy, "matches its stack (\(drift.matched.joined(separator: ", "))\(method))")
                    } else {
                        for line in drift.differences { verdict.add(.degraded, "drifted: \(line)") }
                        if let reason = drift.fallback {
                            verdict.add(.degraded, "drift compared by Gaffer, as CloudFormation drift detection failed: \(reason)")
                        }
                    }
                    verdicts[arn] = verdict
                }
                return .success(verdicts)
            } catch {
                return .failure(error)
            }
        }
        var verdicts: [String: Verdict] = [:]
        for (place, result) in zip(places, results) {
            switch result {
            case .success(let found): verdicts.merge(found) { first, _ in first }
            case .failure(let error): report.gaps.append("\(place.replacingOccurrences(of: "|", with: " ")): health: \(error)")
            }
        }
        for index in report.resources.indices where !report.resources[index].gone {
            let verdict =
                verdicts[report.resources[index].arn] ?? Verdict(.unknown, "Gaffer reads no health signal for \(report.resources[index].type)")
            report.resources[index].health = verdict.health
            report.resources[index].evidence = verdict.evidence
        }
        report.gaps.sort()
        return report
    }

    struct Verdict: Sendable {
        var health: HealthVerdict
        var evidence: [String]
        init(_ health: HealthVerdict, _ evidence: String...) {
            self.health = health
            self.evidence = evidence
        }

        /// Adds a signal: the verdict is the worst of all.
        mutating func add(_ other: HealthVerdict, _ line: String) {
            if health == .unknown || other > health { health = other }
            evidence.append(line)
        }
    }

    static func verdicts(for resources: [ReportResource], client: AWSClient, region: String, end: Date) async throws -> [String: Verdict] {
        var verdicts: [String: Verdict] = [:]
        let byType = Dictionary(grouping: resources, by: \.type)
        func arn(_ type: String, _ id: String) -> String? { byType[type]?.first { $0.id == id }?.arn }

        if byType["AWS::EC2::Instance"] != nil {
            for status in try await EC2(client, region: region).describeInstanceStatus() {
                guard let arn = arn("AWS::EC2::Instance", status.instanceID) else { continue }
                let checks = "system \(status.systemStatus), instance \(status.instanceStatus)"
                switch status.state {
                case "running" where status.systemStatus == "impaired" || status.instanceStatus == "impaired":
                    verdicts[arn] = Verdict(.unhealthy, "running; status checks: \(checks)")
                case "running" where status.systemStatus == "ok" && status.instanceStatus == "ok":
                    verdicts[arn] = Verdict(.healthy, "running; status checks: \(checks)")
                case "running": verdicts[arn] = Verdict(.unknown, "running; status checks: \(checks)")
                default: verdicts[arn] = Verdict(.degraded, "the instance is \(status.state)")
                }
            }
        }
        if byType["AWS::RDS::DBInstance"] != nil {
            for database in try await RDS(client, region: region).describeDBInstances() {
                guard let arn = database.arn ?? arn("AWS::RDS::DBInstance", database.identifier) else { continue }
                switch database.status {
                case "available": verdicts[arn] = Verdict(.healthy, "status available")
                case "failed", "storage-full", "inaccessible-encryption-credentials", "incompatible-parameters", "incompatible-restore", "stopped":
                    verdicts[arn] = Verdict(.unhealthy, "status \(database.status)")
                default: verdicts[arn] = Verdict(.degraded, "status \(database.status)")
                }
            }
        }
        if let services = byType["AWS::ECS::Service"] {
            let ecs = ECS(client, region: region)
            let byCluster = Dictionary(grouping: services.map(\.arn)) { arn -> String in
                // arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME
                let path = arn.split(separator: ":").last?.split(separator: "/") ?? []
                return path.count == 3 ? String(path[1]) : "default"
            }
            for (cluster, arns) in byCluster.sorted(by: { $0.key < $1.key }) {
                for service in try await ecs.describeServices(arns, cluster: cluster) {
                    let running = service.runningCount ?? 0
                    let desired = service.desiredCount ?? 0
                    let line = "\(running) of \(desired) tasks running"
                    verdicts[service.serviceArn] =
                        running >= desired ? Verdict(.healthy, line) : running == 0 ? Verdict(.unhealthy, line) : Verdict(.degraded, line)
                }
            }
        }
        if byType["AWS::CloudWatch::Alarm"] != nil {
            for alarm in try await CloudWatch(client, region: region).describeAlarms() {
                guard let arn = alarm.arn ?? arn("AWS::CloudWatch::Alarm", alarm.name) else { continue }
                switch alarm.state {
                case "OK": verdicts[arn] = Verdict(.healthy, "state OK")
                case "ALARM": verdicts[arn] = Verdict(.unhealthy, "in ALARM (\(alarm.namespace ?? "") \(alarm.metricName ?? ""))")
                default: verdicts[arn] = Verdict(.unknown, "state \(alarm.state)")
                }
            }
        }
        if byType["AWS::CloudFormation::Stack"] != nil {
            for stack in try await CloudFormation(client, region: region).describeStacks() {
                let status = stack.status
                let line = "stack \(status)" + (stack.statusReason.map { ": \($0)" } ?? "")
                if status.contains("FAILED") || status == "ROLLBACK_COMPLETE" {
                    verdicts[stack.stackID] = Verdict(.unhealthy, line)
                } else if status.contains("ROLLBACK") {
                    verdicts[stack.stackID] = Verdict(.degraded, line)
                } else if status.hasSuffix("_COMPLETE") {
                    verdicts[stack.stackID] = Verdict(.healthy, line)
                } else {
                    verdicts[stack.stackID] = Verdict(.unknown, line)
                }
            }
        }
        try await addMetrics(to: &verdicts, resources: resources, client: client, region: region, end: end)
        return verdicts
    }

    /// A metric that counts trouble: any non-zero sum over the window degrades the resource.
    struct Signal: Sendable {
        let type: String
        let namespace: String
        let metric: String
        let dimension: String
        let stat: String
        let describe: @Sendable (Double) -> (HealthVerdict, String)?
    }

    static let signals: [Signal] = [
        Signal(type: "AWS::Lambda::Function", namespace: "AWS/Lambda", metric: "Errors", dimension: "FunctionName", stat: "Sum") {
            $0 > 0 ? (.degraded, "\(Int($0)) errors in the last hour") : (.healthy, "no errors in the last hour")
        },
        Signal(type: "AWS::Lambda::Function", namespace: "AWS/Lambda", metric: "Throttles", dimension: "FunctionName", stat: "Sum") {
            $0 > 0 ? (.degraded, "\(Int($0)) throttled invocations in the last hour") : nil
        },
        Signal(type: "AWS::DynamoDB::Table", namespace: "AWS/DynamoDB", metric: "ThrottledRequests", dimension: "TableName", stat: "Sum") {
            $0 > 0 ? (.degraded, "\(Int($0)) throttled requests in the last hour") : (.healthy, "no throttled requests in the last hour")
        },
        Signal(type: "AWS::RDS::DBInstance", namespace: "AWS/RDS", metric: "CPUUtilization", dimension: "DBInstanceIdentifier", stat: "Maximum") {
            $0 >= 90 ? (.degraded, "CPU reached \(Int($0))% in the last hour") : nil
        },
        Signal(type: "AWS::RDS::DBInstance", namespace: "AWS/RDS", metric: "FreeStorageSpace", dimension: "DBInstanceIdentifier", stat: "Minimum") {
            $0 < 1_073_741_824 ? (.degraded, "free storage fell to \(String(format: "%.1f", $0 / 1_073_741_824)) GiB") : nil
        },
    ]

    /// Reads every resource's signals, in as few GetMetricData calls as the API allows.
    static func addMetrics(
        to verdicts: inout [String: Verdict],
        resources: [ReportResource],
        client: AWSClient,
        region: String,
        end: Date
    ) async throws {
        var queries: [(CloudWatch.MetricQuery, ReportResource, Signal)] = []
        for resource in resources {
            for signal in signals where signal.type == resource.type {
                let query = CloudWatch.MetricQuery(
                    id: "m\(queries.count)",
                    namespace: signal.namespace,
                    metricName: signal.metric,
                    dimensions: [signal.dimension: resource.id],
                    period: Int(window),
                    stat: signal.stat
                )
                queries.append((query, resource, signal))
            }
        }
        let values = try await MetricReads.values(queries.map(\.0), client: client, region: region, start: end.addingTimeInterval(-window), end: end)
        for (query, resource, signal) in queries {
            guard let points = values[query.id], !points.isEmpty else {
                if verdicts[resource.arn] == nil { verdicts[resource.arn] = Verdict(.unknown, "no \(signal.metric) data in the last hour") }
                continue
            }
            let value = signal.stat == "Minimum" ? points.min() ?? 0 : signal.stat == "Maximum" ? points.max() ?? 0 : points.reduce(0, +)
            guard let (health, line) = signal.describe(value) else { continue }
            var verdict = verdicts[resource.arn] ?? Verdict(health)
            if verdicts[resource.arn] == nil { verdict.evidence = [line] } else { verdict.add(health, line) }
            verdicts[resource.arn] = verdict
        }
    }
}
