import Foundation

/// Amazon CloudWatch metrics and alarms (query protocol).
public struct CloudWatch: Sendable {
    public let client: AWSClient
    public var region: String?

    public init(_ client: AWSClient, region: String? = nil) {
        self.client = client
        self.region = region
    }

    /// One metric statistic to fetch, named by `id` in the results.
    public struct MetricQuery: Sendable {
        public var id: String
        public var namespace: String
        public var metricName: String
        public var dimensions: [String: String]
        public var period: Int
        public var stat: String

        public init(
            id: String,
            namespace: String,
            metricName: String,
            dimensions: [String: String] = [:],
            period: Int = 300,
            stat: String = "Average"
        ) {
            self.id = id
            self.namespace = namespace
            self.metricName = metricName
            self.dimensions = dimensions
            self.period = period
            self.stat = stat
        }
    }

    public struct MetricResult: Sendable {
        public let id: String
        public let timestamps: [String]
        public let values: [Double]
        public let statusCode: String
    }

    public struct Alarm: Sendable {
        public let name: String
        public let arn: String?
        public let state: String
        public let metricName: String?
        public let namespace: String?
        public let threshold: Double?
        public let comparisonOperator: String?
    }

    /// What PutMetricAlarm takes.
    public struct AlarmInput: Sendable {
        public var name: String
        public var namespace: String
        public var metricName: String
        public var dimensions: [String: String] = [:]
        public var statistic = "Average"
        public var period = 300
        public var evaluationPeriods = 1
        public var threshold: Double
        public var comparisonOperator: String
        public var alarmActions: [String] = []
        public var description: String?

        public init(name: String, namespace: String, metricName: String, threshold: Double, comparisonOperator: String) {
            self.name = name
            self.namespace = namespace
            self.metricName = metricName
            self.threshold = threshold
            self.comparisonOperator = comparisonOperator
        }
    }

    public func getMetricData(_ queries: [MetricQuery], start: Date, end: Date) async throws -> [MetricResult] {
        var parameters = QueryParameters()
        let format = ISO8601DateFormatter()
        parameters.add("StartTime", format.string(from: start))
        parameters.add("EndTime", format.string(from: end))
        parameters.structures(
            "MetricDataQueries",
            queries.map { query in
                var fields: [(String, String)] = [
                    ("Id", query.id), ("MetricStat.Metric.Namespace", query.namespace), ("MetricStat.Metric.MetricName", query.metricName),
                    ("MetricStat.Period", String(query.period)), ("MetricStat.Stat", query.stat),
                ]
                for (index, (name, value)) in query.dimensions.sorted(by: { $0.key < $1.key }).enumerated() {
                    fields += [
                        ("MetricStat.Metric.Dimensions.member.\(index + 1).Name", name),
                        ("MetricStat.Metric.Dimensions.member.\(index + 1).Value", value),
                    ]
                }
                return fields
            }
        )
        return try await call("GetMetricData", parameters).list("MetricDataResults").map { result in
            MetricResult(
                id: result.string("Id") ?? "",
                timestamps: result.list("Timestamps").map(\.text),
                values: result.list("Values").compactMap { Double($0.text) },
                statusCode: result.string("StatusCode") ?? ""
            )
        }
    }

    /// The alarms named (or with the prefix, or all), page by page.
    public func describeAlarms(names: [String] = [], prefix: String? = nil) async throws -> [Alarm] {
        var items: [XMLNode] = []
        var token: String?
        repeat {
            var parameters = QueryParameters()
            parameters.list("AlarmNames", names)
            parameters.add("AlarmNamePrefix", prefix)
            parameters.add("NextToken", token)
            let page = try await call("DescribeAlarms", parameters)
            items += page.list("MetricAlarms")
            token = page.string("NextToken").flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return items.map { alarm in
            Alarm(
                name: alarm.string("AlarmName") ?? "",
                arn: alarm.string("AlarmArn"),
                state: alarm.string("StateValue") ?? "",
                metricName: alarm.string("MetricName"),
                namespace: alarm.string("Namespace"),
                threshold: alarm.double("Threshold"),
                comparisonOperator: alarm.string("ComparisonOperator")
            )
        }
    }

    public func putMetricAlarm(_ input: AlarmInput) async throws {
        var parameters = QueryParameters()
        parameters.add("AlarmName", input.name)
        parameters.add("Namespace", input.namespace)
        parameters.add("MetricName", input.metricName)
        parameters.structures("Dimensions", input.dimensions.sorted { $0.key < $1.key }.map { [("Name", $0.key), ("Value", $0.value)] })
        parameters.add("Statistic", input.statistic)
        parameters.add("Period", input.period)
        parameters.add("EvaluationPeriods", input.evaluationPeriods)
        parameters.add("Threshold", String(input.threshold))
        parameters.add("ComparisonOperator", input.comparisonOperator)
        parameters.list("AlarmActions", input.alarmActions)
        parameters.add("AlarmDescription", input.description)
        _ = try await call("PutMetricAlarm", parameters)
    }

    private func call(_ action: String, _ parameters: QueryParameters) async throws -> XMLNode {
        try await client.query(.cloudWatch, action, parameters.pairs, region: region)
    }
}
