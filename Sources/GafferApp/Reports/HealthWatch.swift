import Foundation
import GafferCore
import GafferGitHub
import GafferMessages
import Logging
import ServiceLifecycle

/// The scheduled health check of what Gaffer made: the registry's resources are checked where they
/// live (read-only, as any report), each that is Unhealthy gets one issue in the repository whose
/// task made it, found again by a hidden marker so it is never opened twice, and the issue is
/// closed with a comment once the resource recovers. When the issue is opened, a resource whose
/// autonomy is at or above the required level gets the one remedy autonomy allows, a restart
/// (an instance rebooted, a service's tasks replaced), and the issue says so; below it, the issue
/// says Gaffer held back.
public struct HealthWatch: Sendable {
    public let reports: ReportWork
    public let github: GitHubConnection
    /// Restarts; nil: Gaffer only reports.
    public let actions: (any ResourceActions)?
    /// The autonomy a resource needs for Gaffer to restart it by itself (`autonomy_required_level`).
    public let requiredLevel: Int
    /// The label the issues carry: not Gaffer's trigger label, so they ask for no work.
    public static let label = "gaffer-health"

    public init(
        reports: ReportWork,
        github: GitHubConnection,
        actions: (any ResourceActions)? = nil,
        requiredLevel: Int = Stewardship().requiredLevel
    ) {
        self.reports = reports
        self.github = github
        self.actions = actions
        self.requiredLevel = requiredLevel
    }

    /// What one pass did: the issues opened and closed, as `owner/name#number`.
    public struct Outcome: Sendable, Equatable {
        public var opened: [String] = []
        public var closed: [String] = []

        public init(opened: [String] = [], closed: [String] = []) {
            self.opened = opened
            self.closed = closed
        }
    }

    static func marker(_ arn: String) -> String { "<!-- gaffer:health arn=\(arn) -->" }

    static func arn(inMarkerOf body: String?) -> String? {
        body?.firstMatch(of: /<!-- gaffer:health arn=(\S+) -->/).map { String($0.1) }
    }

    public func check(logger: Logger) async throws -> Outcome {
        let registry = try await reports.store.registeredResources()
        guard !registry.isEmpty else { return Outcome() }
        // Each account's health check covers the regions where Gaffer made something.
        var seen: [String: ReportResource] = [:]
        for (account, entries) in Dictionary(grouping: registry, by: \.stack.account).sorted(by: { $0.key < $1.key }) {
            let regions = Set(entries.map(\.stack.region)).sorted()
            let task = AwsTask(kind: .healthCheck, resource: nil, region: regions.joined(separator: ", "), account: account)
            switch try await reports.run(task) {
            case .report(let report, _, _):
                for resource in report.resources where resource.managed { seen[resource.arn] = resource }
            case .failed(let plan):
                logger.warning("scheduled health check failed", metadata: ["account": "\(account)", "reasons": "\(plan.failureReasons)"])
            }
        }
        let client = try await github.gitHub()
        let installations = try await client.installations()
        var outcome = Outcome()
        for (repository, entries) in Dictionary(grouping: registry, by: \.repository).sorted(by: { $0.key < $1.key }) {
            let parts = repository.split(separator: "/").map(String.init)
            guard parts.count == 2, let installation = installations.first(where: { $0.account?.login.lowercased() == parts[0].lowercased() }) else {
                logger.warning("no installation of the app can write to \(repository): its health issues are not written")
                continue
            }
            let ref = RepositoryRef(owner: parts[0], name: parts[1], installation: installation.id)
            let open = Dictionary(
                try await client.issues(labeled: [Self.label], in: ref).compactMap { issue in Self.arn(inMarkerOf: issue.body).map { ($0, issue) } },
                uniquingKeysWith: { first, _ in first }
            )
            for entry in entries.sorted(by: { $0.arn < $1.arn }) {
                guard let resource = seen[entry.arn] else { continue }
                let unhealthy = resource.health == .unhealthy
                if unhealthy, open[entry.arn] == nil {
                    let issue = try await client.createIssue(
                        in: ref,
                        title: "Unhealthy: \(resource.id) (\(resource.type)) in \(resource.region)",
                        body: try github.comments.healthIssue(
                            resource,
                            entry: entry,
                            marker: Self.marker(entry.arn),
                            remedy: await remedy(resource, logger: logger)
                        ),
                        labels: [Self.label]
                    )
                    outcome.opened.append("\(repository)#\(issue.number)")
                } else if !unhealthy, let issue = open[entry.arn] {
                    _ = try await client.createComment(onIssue: issue.number, in: ref, body: try github.comments.healthRecovered(resource))
                    _ = try await client.updateIssue(issue.number, in: ref, state: "closed")
                    outcome.closed.append("\(repository)#\(issue.number)")
                }
            }
        }
        return outcome
    }

    /// The restart, once, when the resource's autonomy allows it; what was done or why not.
    private func remedy(_ resource: ReportResource, logger: Logger) async -> GafferComments.HealthRemedy? {
        guard !resource.gone, let kind = ResourceAction.remedy(forType: resource.type), let autonomy = resource.autonomy else { return nil }
        let what = kind == .rebootInstance ? "reboot it" : "replace its tasks"
        guard autonomy >= requiredLevel, let actions else { return .heldBack(action: what, autonomy: autonomy, required: requiredLevel) }
        do {
            let done = try await actions.perform(ResourceAction(kind, arn: resource.arn, account: resource.account, region: resource.region))
            logger.notice("restarted an unhealthy resource", metadata: ["arn": "\(resource.arn)", "done": "\(done)"])
            return .done(done, autonomy: autonomy, required: requiredLevel)
        } catch {
            return .failed(action: what, error: "\(error)")
        }
    }
}

/// Runs `HealthWatch` every `interval` until shutdown; a failed pass is logged and tried again at the next.
/// While Gaffer is paused no pass runs: it would restart resources.
struct HealthWatchService: Service {
    let watch: HealthWatch
    let interval: Duration
    let emergencyStop: EmergencyStop?
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if let pause = emergencyStop?.current {
                    logger.info("scheduled health check skipped: Gaffer is paused", metadata: ["by": "\(pause.by)"])
                    continue
                }
                do {
                    let outcome = try await watch.check(logger: logger)
                    if outcome != HealthWatch.Outcome() {
                        logger.info("health issues", metadata: ["opened": "\(outcome.opened)", "closed": "\(outcome.closed)"])
                    }
                } catch {
                    logger.warning("scheduled health check failed; trying again later", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
