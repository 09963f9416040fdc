import Foundation
import GafferCore

/// `sleep`: waits `{"seconds": n}` (at most 300), then returns
/// `{"slept": n}`. For watching a drain or a lease in action.
public struct SleepJob: JobHandler {
    public let jobType = "sleep"
    public static let maximumSeconds = 300.0
    public init() {}

    public func validate(payload: JSONValue) throws(PermanentJobFailure) {
        _ = try seconds(in: payload)
    }

    public func run(_ context: JobContext) async throws -> JobResult {
        let seconds = try seconds(in: try JSONValue.decode(context.job.payload))
        try await Task.sleep(for: .seconds(seconds))
        return try JobResult(.object(["slept": .number(Decimal(seconds))]))
    }

    private func seconds(in payload: JSONValue) throws(PermanentJobFailure) -> Double {
        guard let seconds = payload["seconds"]?.doubleValue, (0...Self.maximumSeconds).contains(seconds) else {
            throw PermanentJobFailure("a sleep job needs {\"seconds\": n} with n from 0 to \(Int(Self.maximumSeconds))")
        }
        return seconds
    }
}
