import Foundation
import GafferCore

/// Estimates the monthly cost of the plan's stacks from the price table, per resource and in
/// total; for a delete, the saving. Above `cost_approval_threshold_usd` the plan needs approval.
public struct CostAgent: Agent {
    public let role = AgentRole.cost
    public let intents: Set<StepIntent> = [.estimateCost, .writeReport]

    public init() {}

    public func perform(_ step: Step, context: AgentContext) async throws -> StepOutput {
        guard step.intent == .estimateCost else {
            let report = try await CostReport(sources: try context.reportSources(for: role), prices: context.settings.prices, clock: context.clock)
                .run(context.task)
            return StepOutput(notes: [ReportSummary.line(report)], report: report)
        }
        let isDelete = context.task.kind == .delete
        var documents: [CloudFormationDocument] = []
        if isDelete {
            // What the stack holds as Gaffer would write it: that is what stops being paid for.
            let renderer = StackRenderer(context: context)
            documents.append(try CloudFormationDocument.reading(path: renderer.naming.templatePath, text: renderer.main()))
            if let monitoring = try renderer.monitoring() {
                documents.append(try CloudFormationDocument.reading(path: renderer.naming.monitoringPath, text: monitoring))
            }
        } else {
            for case .write(let path, let contents, _) in context.plan.files.changes where StackNaming.isTemplatePath(path) {
                documents.append(try CloudFormationDocument.reading(path: path, text: String(decoding: contents, as: UTF8.self)))
            }
        }
        let pricer = ResourcePricer(prices: context.settings.prices, region: context.task.region)
        let lines = documents.flatMap { document in document.resources.compactMap { pricer.price($0, in: document) } }
        let estimate = CostEstimate(
            lines: lines,
            region: context.task.region ?? "us-east-1",
            source: "\(context.settings.prices.source) (\(context.settings.prices.date)); region factor \(Self.format(pricer.factor))",
            isSaving: isDelete
        )
        let total = estimate.monthlyUSD
        let threshold = context.settings.costApprovalThresholdUSD
        var reasons: [String] = []
        if !isDelete, total > threshold {
            reasons.append(
                "the estimated cost, $\(Self.format(total)) a month, is above the approval threshold of $\(Self.format(threshold)) (cost_approval_threshold_usd)"
            )
        }
        let summary = isDelete ? "saves about $\(Self.format(total)) a month" : "costs about $\(Self.format(total)) a month"
        return StepOutput(
            messages: [AgentMessage(sender: role, recipient: .deployment, intent: .provideResult, content: summary, at: context.clock.now())],
            estimate: estimate,
            approvalReasons: reasons,
            notes: ["The plan \(summary) (\(estimate.source))."]
        )
    }

    static func format(_ value: Double) -> String { String(format: "%.2f", value) }
}

/// Prices one resource of a template from its properties.
struct ResourcePricer {
    let prices: PriceTable
    let factor: Double

    init(prices: PriceTable, region: String?) {
        self.prices = prices
        self.factor = prices.regionFactor(region)
    }

    func price(_ resource: CloudFormationDocument.Resource, in document: CloudFormationDocument) -> CostEstimate.Line? {
        let properties = resource.properties
        let hours = prices.hoursPerMonth
        func line(_ usd: Double, _ basis: String) -> CostEstimate.Line {
            CostEstimate.Line(resource: resource.logicalID, type: resource.type, monthlyUSD: (usd * factor * 100).rounded() / 100, basis: basis)
        }
        func unit(_ name: String) -> Double { prices.unit(name) }
        switch resource.type {
        case "AWS::S3::Bucket":
            let gb = unit("assumedS3StorageGB")
            return line(gb * unit("s3StorageGBMonth"), "\(Int(gb)) GB stored (assumed) × $\(unit("s3StorageGBMonth"))/GB")
        case "AWS::DynamoDB::Table":
            let storage = unit("assumedDynamoStorageGB") * unit("dynamoStorageGBMonth")
            if properties?["BillingMode"]?.string == "PROVISIONED" {
                let read = Double(properties?.at("ProvisionedThroughput", "ReadCapacityUnits")?.int ?? 0)
                let write = Double(properties?.at("ProvisionedThroughput", "WriteCapacityUnits")?.int ?? 0)
                return line(
                    (read * unit("dynamoRCUHour") + write * unit("dynamoWCUHour")) * hours + storage,
                    "\(Int(read)) RCU and \(Int(write)) WCU × \(Int(hours)) h, \(Int(unit("assumedDynamoStorageGB"))) GB stored (assumed)"
                )
            }
            let millions = unit("assumedDynamoMillionRequests")
            return line(
                millions * (unit("dynamoOnDemandMillionWrites") + unit("dynamoOnDemandMillionReads")) + storage,
                "on demand: \(Self.count(millions)) million reads and writes a month and \(Int(unit("assumedDynamoStorageGB"))) GB stored (assumed)"
            )
        case "AWS::Lambda::Function":
            let memoryGB = Double(properties?["MemorySize"]?.int ?? 128) / 1024
            let invocations = unit("assumedLambdaMillionInvocations")
            let seconds = unit("assumedLambdaDurationMs") / 1000
            let compute = memoryGB * seconds * invocations * 1_000_000 * unit("lambdaGBSecond")
            return line(
                compute + invocations * unit("lambdaMillionRequests"),
                "\(Self.count(invocations)) million invocations of \(Int(unit("assumedLambdaDurationMs"))) ms at \(Int(memoryGB * 1024)) MB (assumed)"
            )
        case "AWS::EC2::Instance":
            let type = properties?["InstanceType"]?.string ?? "?"
            let volume = Double(properties?["BlockDeviceMappings"]?.items.first?.at("Ebs", "VolumeSize")?.int ?? 8)
            let storage = volume * unit("ebsGp3GBMonth")
            guard let hourly = prices.ec2HourlyByType[type] else {
                return line(storage, "\(Int(volume)) GB gp3; no list price for \(type) in the price table (add it with cost_prices_file)")
            }
            return line(hourly * hours + storage, "\(Int(hours)) h × $\(hourly) (\(type)) + \(Int(volume)) GB gp3")
        case "AWS::RDS::DBInstance":
            let type = properties?["DBInstanceClass"]?.string ?? "?"
            let copies: Double = properties?["MultiAZ"]?.bool == true ? 2 : 1
            let gb = Double(properties?["AllocatedStorage"]?.int ?? 20)
            let storage = gb * unit("rdsGp3GBMonth") * copies
            guard let hourly = prices.rdsHourlyByClass[type] else {
                return line(storage, "\(Int(gb)) GB gp3; no list price for \(type) in the price table (add it with cost_prices_file)")
            }
            return line(
                hourly * hours * copies + storage,
                "\(Int(hours)) h × $\(hourly) (\(type))\(copies > 1 ? " × 2 (Multi-AZ)" : "") + \(Int(gb)) GB gp3"
            )
        case "AWS::CloudFront::Distribution":
            let gb = unit("assumedCloudFrontGB")
            let requests = unit("assumedCloudFrontMillionRequests")
            return line(
                gb * unit("cloudFrontGBOut") + requests * unit("cloudFrontMillionRequests"),
                "\(Int(gb)) GB out and \(Self.count(requests)) million requests (assumed)"
            )
        case "AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api":
            let rest = resource.type == "AWS::ApiGateway::RestApi"
            let millions = unit("assumedApiMillionRequests")
            let price = unit(rest ? "apiRestMillionRequests" : "apiHttpMillionRequests")
            return line(millions * price, "\(Self.count(millions)) million requests (assumed) × $\(price)")
        case "AWS::SNS::Topic":
            let millions = unit("assumedSnsMillionPublishes")
            return line(millions * unit("snsMillionPublishes"), "\(Self.count(millions)) million publishes (assumed)")
        case "AWS::CloudWatch::Alarm":
            return line(unit("cloudWatchAlarmMonth"), "one standard-resolution alarm")
        case "AWS::Logs::LogGroup":
            let gb = unit("assumedLogsGB")
            return line(gb * unit("logsIngestGB"), "\(Int(gb)) GB of logs ingested (assumed)")
        case "AWS::ECS::Service":
            // `!If [Released, 2, 0]`: priced as it runs once released.
            let desired = properties?["DesiredCount"]
            let count = Double(desired?.int ?? desired?.items.compactMap(\.int).max() ?? 1)
            let definition = properties?["TaskDefinition"]?.reference.flatMap(document.resource)?.properties
            let vcpu = Double(definition?["Cpu"]?.int ?? 256) / 1024
            let memoryGB = Double(definition?["Memory"]?.int ?? 512) / 1024
            let publicIP = properties?.at("NetworkConfiguration", "AwsvpcConfiguration", "AssignPublicIp")?.string != "DISABLED"
            let perTask = (vcpu * unit("fargateVCPUHour") + memoryGB * unit("fargateGBHour") + (publicIP ? unit("publicIPv4Hour") : 0)) * hours
            return line(
                count * perTask,
                "\(Int(count)) Fargate tasks × \(Int(hours)) h × (\(Self.count(vcpu)) vCPU, \(Self.count(memoryGB)) GB\(publicIP ? ", a public IPv4 address" : ""))"
            )
        case "AWS::EC2::NatGateway":
            let gb = unit("assumedNatGB")
            return line(
                unit("natGatewayHour") * hours + gb * unit("natGatewayGB") + unit("publicIPv4Hour") * hours,
                "\(Int(hours)) h × $\(unit("natGatewayHour")) + \(Int(gb)) GB processed (assumed) + its public IPv4 address"
            )
        case "AWS::ElasticLoadBalancingV2::LoadBalancer":
            let zones = Double(max(1, properties?["Subnets"]?.items.count ?? 2))
            return line(
                (unit("albHour") + unit("albLCUHour") + zones * unit("publicIPv4Hour")) * hours,
                "\(Int(hours)) h × ($\(unit("albHour")) + one LCU (assumed) + \(Int(zones)) public IPv4 addresses)"
            )
        case "AWS::CloudWatch::Dashboard":
            return line(unit("cloudWatchDashboardMonth"), "one dashboard")
        case "AWS::ECR::Repository":
            let gb = unit("assumedECRStorageGB")
            return line(gb * unit("ecrStorageGBMonth"), "\(Int(gb)) GB of images (assumed)")
        default:
            return nil
        }
    }

    static func count(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(value)
    }
}
