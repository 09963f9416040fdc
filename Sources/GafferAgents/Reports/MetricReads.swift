import Foundation
import GafferAWS

/// Reads many CloudWatch metrics in as few GetMetricData calls as the API allows: 500 queries a call.
enum MetricReads {
    static let queriesPerCall = 500

    /// Each query's values by its id; a metric with no data has none.
    static func values(
        _ queries: [CloudWatch.MetricQuery],
        client: AWSClient,
        region: String,
        start: Date,
        end: Date
    ) async throws -> [String: [Double]] {
        let cloudWatch = CloudWatch(client, region: region)
        var values: [String: [Double]] = [:]
        for first in stride(from: 0, to: queries.count, by: queriesPerCall) {
            let batch = Array(queries[first..<min(first + queriesPerCall, queries.count)])
            for result in try await cloudWatch.getMetricData(batch, start: start, end: end) { values[result.id, default: []] += result.values }
        }
        return values
    }
}
