import Foundation
import GafferCore
import Logging

/// What a job handler is given to do its work.
public struct JobContext: Sendable {
    public var job: Job
    public var logger: Logger
    /// `<data>/jobs/<id>/`, for files the job leaves behind.
    public var directory: URL
}

/// A failure that retrying cannot fix (bad payload, missing input): the job
/// fails now instead of backing off and trying again.
public struct PermanentJobFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A job's result, as JSON bytes.
public struct JobResult: Sendable {
    public let json: Data

    public init(_ value: JSONValue) throws {
        json = try value.encoded()
    }

    /// Bytes already known to be JSON, such as a payload checked when it was queued.
    public init(json: Data) {
        self.json = json
    }
}

/// Runs one type of job. Add a job type by writing one of these and
/// registering it in `JobRegistry`.
public protocol JobHandler: Sendable {
    /// The `job_type` clients name.
    var jobType: String { get }
    /// Whether clients may submit it through `POST /jobs`; jobs Gaffer makes
    /// for itself (a webhook delivery) are not.
    var isSubmittable: Bool { get }
    /// Checks a payload before it is queued, so bad input is refused at once.
    func validate(payload: JSONValue) throws(PermanentJobFailure)
    /// Does the work; what it returns is the job's result.
    func run(_ context: JobContext) async throws -> JobResult
}

extension JobHandler {
    public var isSubmittable: Bool { true }
    public func validate(payload: JSONValue) throws(PermanentJobFailure) {}
}

/// The job types this process can run, by name.
public struct JobRegistry: Sendable {
    private var handlers: [String: any JobHandler] = [:]

    public init(_ handlers: [any JobHandler]) {
        for handler in handlers { self.handlers[handler.jobType] = handler }
    }

    public subscript(type: String) -> (any JobHandler)? { handlers[type] }

    /// The types `POST /jobs` accepts, sorted.
    public var submittableTypes: [String] {
        handlers.values.filter(\.isSubmittable).map(\.jobType).sorted()
    }
}
