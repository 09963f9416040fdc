import Foundation
import GafferCore

/// What both back ends write the same way, so either reads back what the other wrote (`gaffer migrate --from`).
enum StoredForms {
    /// The event of a failed attempt that will be tried again.
    static func retrying(_ lease: JobLease, of maxAttempts: Int, message: String, after seconds: TimeInterval) -> String {
        String(format: "attempt %d of %d failed: %@; retry in %.1fs", lease.attempt, maxAttempts, message, seconds)
    }

    /// The event of a job's last failure: a permanent one (`retryable` false), or the last attempt's.
    static func failed(_ lease: JobLease, of maxAttempts: Int, message: String, retryable: Bool) -> String {
        retryable ? "attempt \(lease.attempt) of \(maxAttempts) failed, no attempts left: \(message)" : "failed and will not be retried: \(message)"
    }

    static func pause(_ state: PauseState) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(state)
    }

    static func pause(from data: Data) throws -> PauseState {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(PauseState.self, from: data)
    }
}
