import GafferCore

/// `echo`: returns its payload. For checking that the queue and workers run.
public struct EchoJob: JobHandler {
    public let jobType = "echo"
    public init() {}

    /// The payload was checked to be JSON when it was queued, so it is
    /// returned as it is, without decoding it again.
    public func run(_ context: JobContext) async throws -> JobResult {
        JobResult(json: context.job.payload)
    }
}
