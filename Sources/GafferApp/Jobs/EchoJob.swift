import GafferCore

/// `echo`: returns its payload. For checking that the queue and workers run.
public struct EchoJob: JobHandler {
    public let jobType = "echo"
    public init() {}

    public func run(_ context: JobContext) async throws -> JSONValue {
        try JSONValue.decode(context.job.payload)
    }
}
