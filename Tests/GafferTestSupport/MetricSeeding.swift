import Foundation
import GafferAWS

/// CloudWatch metrics written into the past, for reports that read days of them.
public enum MetricSeeding {
    /// `value` once a day for the last `days` days.
    public static func putDaily(
        _ client: AWSClient,
        _ namespace: String,
        _ metric: String,
        _ dimension: (String, String),
        _ value: Double,
        days: Int = 10
    ) async throws {
        let format = ISO8601DateFormatter()
        var parameters: [(String, String)] = [("Namespace", namespace)]
        for index in 1...days {
            let at = Date().addingTimeInterval(-Double(index) * 86_400 + 3600)
            parameters += [
                ("MetricData.member.\(index).MetricName", metric), ("MetricData.member.\(index).Value", String(value)),
                ("MetricData.member.\(index).Timestamp", format.string(from: at)),
                ("MetricData.member.\(index).Dimensions.member.1.Name", dimension.0),
                ("MetricData.member.\(index).Dimensions.member.1.Value", dimension.1),
            ]
        }
        _ = try await client.query(.cloudWatch, "PutMetricData", parameters)
    }
}
