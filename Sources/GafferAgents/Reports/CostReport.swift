import Foundation
import GafferAWS
import GafferCore

/// What the account spent (Cost Explorer: the last 30 days by service and by `gaffer:issue`, and a
/// forecast for the month), and proposals to spend less, each with its evidence and a monthly
/// saving priced from the price table: idle EC2 instances, unattached volumes, unused Elastic IPs,
/// old snapshots, over-provisioned RDS instances and DynamoDB tables, and Lambda functions with far
/// more memory than they use. Nothing acts on a proposal.
struct CostReport: Sendable {
    let sources: ReportSources
    let prices: PriceTable
    let clock: any WallClock

    static let lookbackDays = 14
    static let idleCPUPercent = 5.0
    static let quietDatabaseCPUPercent = 10.0
    static let oldSnapshotDays = 90
    /// A provisioned table whose busiest day used less than this share of its capacity.
    static let usedCapacityShare = 0.2
    /// A function whose memory use (Lambda Insights) never reached this share of its memory.
    static let usedMemoryPercent = 30.0

    func run(_ task: AwsTask) async throws -> Report {
        let scope = try await sources.scope(of: task)
        let now = clock.now()
        var gaps: [String] = []
        var costs: CostSummary?
        if let account = scope.accounts.first {
            do {
                costs = try await Self.costs(client: try await sources.accounts.client(for: account), now: now)
            } catch {
                gaps.append("\(account): Cost Explorer: \(error)")
            }
        }
        let prices = self.prices
        let places = scope.places
        // What was spent is a report by itself when no region can be read.
        let results = try await sources.read(places, account: { $0.account }, unlessAllFail: costs == nil) { place, client in
            try await Self.proposals(client: client, account: place.account, region: place.region, prices: prices, now: now)
        }
        var proposals: [SavingsProposal] = []
        for (place, result) in zip(places, results) {
            switch result {
            case .success(let found): proposals += found
            case .failure(let error): gaps.append("\(place.account) \(place.region): savings: \(error)")
            }
        }
        let managed = Set(try await sources.registry.registeredResources().map(\.arn))
        for index in proposals.indices where managed.contains(proposals[index].resource) { proposals[index].managed = true }
        proposals.sort { ($1.monthlySavingUSD, $0.resource) < ($0.monthlySavingUSD, $1.resource) }
        for index in proposals.indices { proposals[index].id = "P\(index + 1)" }
        return Report(
            kind: task.kind,
            accounts: scope.accounts,
            regions: scope.regions,
            generatedAt: now,
            costs: costs,
            proposals: proposals,
            gaps: gaps.sorted()
        )
    }

    // MARK: What was spent

    static func costs(client: AWSClient, now: Date) async throws -> CostSummary {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let today = calendar.startOfDay(for: now)
        let start = calendar.date(byAdding: .day, value: -30, to: today) ?? today
        let format = DateFormatter()
        format.calendar = calendar
        format.timeZone = calendar.timeZone
        format.locale = Locale(identifier: "en_US_POSIX")
        format.dateFormat = "yyyy-MM-dd"
        let explorer = CostExplorer(client)
        let byService = try await explorer.getCostAndUsage(
            start: format.string(from: start),
            end: format.string(from: today),
            granularity: "DAILY",
            groupBy: "SERVICE"
        )
        let byTag = try await explorer.getCostAndUsage(
            start: format.string(from: start),
            end: format.string(from: today),
            granularity: "DAILY",
            groupBy: "gaffer:issue",
            groupType: "TAG"
        )
        func amount(_ metrics: [String: CostExplorer.Amount]?) -> Double { Double(metrics?["UnblendedCost"]?.amount ?? "") ?? 0 }
        func dayTotal(_ day: CostExplorer.ResultByTime) -> Double {
            day.groups.map { $0.reduce(0) { $0 + amount($1.metrics) } } ?? amount(day.total)
        }
        func lines(_ days: [CostExplorer.ResultByTime], name: (String) -> String) -> [CostSummary.Line] {
            var sums: [String: Double] = [:]
            for day in days {
                for group in day.groups ?? [] { sums[name(group.keys.first ?? ""), default: 0] += amount(group.metrics) }
            }
            return sums.map { CostSummary.Line(name: $0.key, usd: $0.value) }.sorted { ($1.usd, $0.name) < ($0.usd, $1.name) }
        }
        let daily = byService.map { (start: format.date(from: $0.timePeriod.start) ?? start, usd: dayTotal($0)) }
        let monthStart = calendar.date(from: calendar.dateComponents([.year, .month], from: today)) ?? today
        let monthToDate = daily.filter { $0.start >= monthStart }.reduce(0) { $0 + $1.usd }
        let lastWeek = daily.filter { $0.start >= (calendar.date(byAdding: .day, value: -7, to: today) ?? today) }
        let average = lastWeek.isEmpty ? 0 : lastWeek.reduce(0) { $0 + $1.usd } / 7
        let daysInMonth = calendar.range(of: .day, in: .month, for: today)?.count ?? 30
        let daysLeft = daysInMonth - (calendar.component(.day, from: today) - 1)
        return CostSummary(
            start: format.string(from: start),
            end: format.string(from: today),
            totalUSD: daily.reduce(0) { $0 + $1.usd },
            byService: lines(byService) { $0.isEmpty ? "other" : $0 },
            byIssue: lines(byTag) { key in
                // Cost Explorer names a tag group `KEY$VALUE`; an empty value is spending without the tag.
                let value = key.split(separator: "$", maxSplits: 1, omittingEmptySubsequences: false).dropFirst().first.map(String.init) ?? ""
                return value.isEmpty ? "untagged" : "#\(value)"
            },
            monthToDateUSD: monthToDate,
            forecastUSD: monthToDate + average * Double(daysLeft),
            forecastBasis:
                "spent so far this month, plus the last 7 days' daily average ($\(String(format: "%.2f", average))) for the \(daysLeft) day\(daysLeft == 1 ? "" : "s") left"
        )
    }

    // MARK: What could be spent less

    static func proposals(client: AWSClient, account: String, region: String, prices: PriceTable, now: Date) async throws -> [SavingsProposal] {
        let factor = prices.regionFactor(region)
        let hours = prices.hoursPerMonth
        func arn(_ type: String, _ id: String) -> String { ResourceARN.of(type: type, physicalID: id, account: account, region: region) }
        func proposal(_ rule: String, _ arn: String, _ action: String, _ evidence: String, _ saving: Double) -> SavingsProposal {
            SavingsProposal(rule: rule, resource: arn, region: region, account: account, action: action, evidence: evidence, monthlySavingUSD: saving)
        }
        let ec2 = EC2(client, region: region)
        var found: [SavingsProposal] = []

        let volumes = try await ec2.describeVolumes()
        for volume in volumes where volume.state == "available" {
            found.append(
                proposal(
                    "EBS-UNATTACHED",
                    arn("AWS::EC2::Volume", volume.volumeID),
                    "delete it (snapshot it first if its data is wanted)",
                    "\(volume.sizeGiB) GiB \(volume.volumeType), attached to nothing",
                    Double(volume.sizeGiB) * prices.unit("ebsGp3GBMonth") * factor
                )
            )
        }
        for address in try await ec2.describeAddresses() where address.associationID == nil && address.instanceID == nil {
            let arn = "arn:aws:ec2:\(region):\(account):elastic-ip/\(address.allocationID ?? address.publicIP)"
            found.append(
                proposal("EIP-UNUSED", arn, "release it", "\(address.publicIP) is associated with nothing", prices.unit("publicIPv4Hour") * hours)
            )
        }
        let oldest = now.addingTimeInterval(-Double(oldSnapshotDays) * 86_400)
        for snapshot in try await ec2.describeSnapshots() where (snapshot.startTime ?? now) < oldest {
            let days = Int(now.timeIntervalSince(snapshot.startTime ?? now) / 86_400)
            found.append(
                proposal(
                    "EBS-SNAPSHOT-OLD",
                    "arn:aws:ec2:\(region)::snapshot/\(snapshot.snapshotID)",
                    "delete it if nothing restores from it",
                    "\(snapshot.sizeGiB) GiB, \(days) days old",
                    Double(snapshot.sizeGiB) * prices.unit("ebsSnapshotGBMonth")
                )
            )
        }

        // Metrics over the look-back, one value a day, for every instance, database and provisioned table at once.
        let instances = try await ec2.describeInstances().filter { $0.state == "running" }
        let databases = try await RDS(client, region: region).describeDBInstances().filter { $0.status == "available" }
        let dynamo = DynamoDB(client, region: region)
        var tables: [DynamoDB.Table] = []
        for name in try await dynamo.allTables() {
            let table = try await dynamo.describeTable(name)
            if table.billingMode == "PROVISIONED" { tables.append(table) }
        }
        let functions = try await Lambda(client, region: region).allFunctions().filter { ($0.memorySize ?? 128) >= 256 }
        var queries: [CloudWatch.MetricQuery] = []
        func query(_ id: String, _ namespace: String, _ metric: String, _ dimension: String, _ value: String, _ stat: String) {
            queries.append(
                CloudWatch.MetricQuery(id: id, namespace: namespace, metricName: metric, dimensions: [dimension: value], period: 86_400, stat: stat)
            )
        }
        for (index, instance) in instances.enumerated() {
            query("i\(index)", "AWS/EC2", "CPUUtilization", "InstanceId", instance.instanceID, "Average")
        }
        for (index, database) in databases.enumerated() {
            query("d\(index)", "AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", database.identifier, "Maximum")
        }
        for (index, function) in functions.enumerated() {
            query("m\(index)", "LambdaInsights", "memory_utilization", "function_name", function.functionName, "Maximum")
            query("n\(index)", "AWS/Lambda", "Invocations", "FunctionName", function.functionName, "Sum")
            query("t\(index)", "AWS/Lambda", "Duration", "FunctionName", function.functionName, "Average")
        }
        for (index, table) in tables.enumerated() {
            query("r\(index)", "AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", table.tableName, "Sum")
            query("w\(index)", "AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", table.tableName, "Sum")
        }
        let values = try await MetricReads.values(
            queries,
            client: client,
            region: region,
            start: now.addingTimeInterval(-Double(lookbackDays) * 86_400),
            end: now
        )
        // A verdict needs a week of days at least: a new resource is not idle, only young.
        func days(_ id: String) -> [Double]? { values[id].flatMap { $0.count >= 7 ? $0 : nil } }

        for (index, instance) in instances.enumerated() {
            guard let cpu = days("i\(index)"), let peak = cpu.max(), peak < idleCPUPercent else { continue }
            let hourly = prices.ec2HourlyByType[instance.instanceType]
            found.append(
                proposal(
                    "EC2-IDLE",
                    arn("AWS::EC2::Instance", instance.instanceID),
                    "stop it, or move it to a smaller type",
                    "\(instance.instanceType): daily average CPU at most \(String(format: "%.1f", peak))% over \(cpu.count) days"
                        + (hourly == nil ? " (its price is not in the price table)" : ""),
                    (hourly ?? 0) * hours * factor
                )
            )
        }
        for (index, database) in databases.enumerated() {
            guard let cpu = days("d\(index)"), let peak = cpu.max(), peak < quietDatabaseCPUPercent,
                let smaller = smallerClass(database.instanceClass, in: prices), let now = prices.rdsHourlyByClass[database.instanceClass],
                let then = prices.rdsHourlyByClass[smaller]
            else { continue }
            var lowered = proposal(
                "RDS-OVERSIZED",
                database.arn ?? arn("AWS::RDS::DBInstance", database.identifier),
                "move it to \(smaller)",
                "\(database.instanceClass): CPU peaked at \(String(format: "%.1f", peak))% over \(cpu.count) days",
                (now - then) * hours * factor
            )
            lowered.taskChange = ["dbInstanceClass": .string(smaller)]
            found.append(lowered)
        }
        for (index, function) in functions.enumerated() {
            guard let memory = days("m\(index)"), let peak = memory.max(), peak < usedMemoryPercent, let size = function.memorySize else { continue }
            let wanted = max(128, size / 2)
            // A month of GB-seconds at today's pace; less memory may run longer, so the saving is an upper bound.
            let invocations = (values["n\(index)"] ?? []).reduce(0, +) / Double(max(1, memory.count)) * 30
            let durations = values["t\(index)"] ?? []
            let seconds = durations.isEmpty ? 0 : durations.reduce(0, +) / Double(durations.count) / 1000
            let saving = invocations * seconds * Double(size - wanted) / 1024 * prices.unit("lambdaGBSecond") * factor
            var lowered = proposal(
                "LAMBDA-OVERSIZED",
                function.functionArn,
                "lower its memory to \(wanted) MB",
                "\(size) MB, of which at most \(String(format: "%.0f", peak))% was used over \(memory.count) days; it may run a little longer",
                saving
            )
            lowered.taskChange = ["memorySize": .integer(wanted)]
            found.append(lowered)
        }
        for (index, table) in tables.enumerated() {
            let provisioned = (
                read: Double(table.provisionedThroughput?.readCapacityUnits ?? 0), write: Double(table.provisionedThroughput?.writeCapacityUnits ?? 0)
            )
            guard let reads = days("r\(index)"), let writes = days("w\(index)") else { continue }
            // Units a second on the busiest day.
            let used = (read: (reads.max() ?? 0) / 86_400, write: (writes.max() ?? 0) / 86_400)
            guard used.read < provisioned.read * usedCapacityShare, used.write < provisioned.write * usedCapacityShare else { continue }
            let wanted = (read: max(1, (used.read * 2).rounded(.up)), write: max(1, (used.write * 2).rounded(.up)))
            let saving =
                ((provisioned.read - wanted.read) * prices.unit("dynamoRCUHour") + (provisioned.write - wanted.write) * prices.unit("dynamoWCUHour"))
                * hours * factor
            guard saving > 0 else { continue }
            var lowered = proposal(
                "DYNAMODB-OVERPROVISIONED",
                table.tableArn ?? arn("AWS::DynamoDB::Table", table.tableName),
                "lower its capacity to \(Int(wanted.read)) reads and \(Int(wanted.write)) writes a second, or make it on-demand",
                "provisioned \(Int(provisioned.read))/\(Int(provisioned.write)); the busiest of \(reads.count) days used "
                    + "\(String(format: "%.1f", used.read))/\(String(format: "%.1f", used.write)) a second",
                saving
            )
            lowered.taskChange = ["readCapacityUnits": .integer(Int(wanted.read)), "writeCapacityUnits": .integer(Int(wanted.write))]
            found.append(lowered)
        }
        return found
    }

    /// The next smaller class of the same family that the price table knows (`db.t3.medium` → `db.t3.small`).
    static func smallerClass(_ name: String, in prices: PriceTable) -> String? {
        let sizes = ["micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"]
        guard let dot = name.lastIndex(of: "."), let index = sizes.firstIndex(of: String(name[name.index(after: dot)...])), index > 0 else {
            return nil
        }
        let family = name[..<dot]
        return sizes[..<index].reversed().map { "\(family).\($0)" }.first { prices.rdsHourlyByClass[$0] != nil }
    }
}
