import Foundation
import GafferAgents
import GafferCore

/// Runs a read-only task: the coordinator's one report step (reading AWS through read-only clients),
/// then the report kept as JSON and CSV under `<data>/reports/`, and the registry brought up to
/// date with what was seen (when, gone since when, health). Shared by the issue handler and
/// `gaffer report`.
public struct ReportWork: Sendable {
    public let coordinator: Coordinator
    public let store: any ChangeStore
    /// `<data>/reports`.
    public let directory: URL
    public let clock: any WallClock

    public init(coordinator: Coordinator, store: any ChangeStore, directory: URL, clock: any WallClock = SystemWallClock()) {
        self.coordinator = coordinator
        self.store = store
        self.directory = directory
        self.clock = clock
    }

    public enum Outcome: Sendable {
        /// The report, and its files' names under `directory` (`<plan id>.json`, `.csv`).
        case report(Report, summary: String, id: String)
        /// The plan stopped: AWS refused, a capability gap. The plan says why.
        case failed(Plan)
    }

    public func run(_ task: AwsTask, repository: String? = nil) async throws -> Outcome {
        let plan = try await coordinator.plan(task, repository: repository)
        guard plan.state == .ready, let step = plan.steps.first, let report = step.output?.report else { return .failed(plan) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try report.jsonData().write(to: file(plan.id, "json"), options: .atomic)
        try Data(report.csv().utf8).write(to: file(plan.id, "csv"), options: .atomic)
        try await updateRegistry(from: report)
        return .report(report, summary: ReportSummary.line(report), id: plan.id)
    }

    public func file(_ id: String, _ format: String) -> URL { directory.appendingPathComponent("\(id).\(format)") }

    /// Managed resources seen now are marked seen (and, after a health check, get their verdict);
    /// those gone are marked gone from the first report that missed them.
    func updateRegistry(from report: Report) async throws {
        guard report.kind == .discover || report.kind == .healthCheck else { return }
        let now = clock.now()
        let found = Dictionary(report.resources.map { ($0.arn, $0) }, uniquingKeysWith: { first, _ in first })
        var changed: [RegisteredResource] = []
        for var entry in try await store.registeredResources() {
            guard let resource = found[entry.arn] else { continue }
            if resource.gone {
                entry.goneSince = entry.goneSince ?? now
                entry.health = HealthVerdict.unhealthy.rawValue
            } else {
                entry.lastSeenAt = now
                entry.goneSince = nil
                entry.tags = resource.tags
                entry.autonomy = resource.autonomy
                if report.kind == .healthCheck { entry.health = resource.health.rawValue }
            }
            changed.append(entry)
        }
        if !changed.isEmpty { try await store.register(changed) }
    }
}
