import GafferCore
import GafferStore
import Prometheus

/// Gaffer's own Prometheus metrics. Counters are bumped where things happen;
/// the job gauges are read from the store when `/metrics` is scraped, so
/// they tell the truth across several processes sharing one store.
public final class GafferMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    /// Webhook deliveries by what became of them.
    public enum DeliveryOutcome: String, Sendable, CaseIterable {
        case queued, recorded, duplicate, rejected
    }

    private let deliveries: [DeliveryOutcome: Counter]
    private let jobStates: [JobState: Gauge]
    private let queueDepth: Gauge
    private let workersBusy: Gauge

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var deliveries: [DeliveryOutcome: Counter] = [:]
        for outcome in DeliveryOutcome.allCases {
            deliveries[outcome] = registry.makeCounter(
                name: "gaffer_webhook_deliveries_total", labels: [("outcome", outcome.rawValue)],
                help: "Webhook deliveries received, by outcome: queued (stored, job queued), recorded (stored, no job), duplicate (seen before), rejected (refused, nothing stored)"
            )
        }
        self.deliveries = deliveries
        var jobStates: [JobState: Gauge] = [:]
        for state in JobState.allCases {
            jobStates[state] = registry.makeGauge(name: "gaffer_jobs", labels: [("state", state.rawValue)], help: "Jobs in the store, by state")
        }
        self.jobStates = jobStates
        queueDepth = registry.makeGauge(name: "gaffer_job_queue_depth", help: "Queued jobs whose time to run has come")
        workersBusy = registry.makeGauge(name: "gaffer_workers_busy", help: "Workers of this process running a job")
    }

    public func delivery(_ outcome: DeliveryOutcome) {
        deliveries[outcome]?.increment()
    }

    /// Counts a refused delivery, by why it was refused.
    public func rejection(reason: String) {
        delivery(.rejected)
        registry.makeCounter(
            name: "gaffer_webhook_rejections_total", labels: [("reason", reason)],
            help: "Webhook deliveries refused, by reason"
        ).increment()
    }

    public func jobFinished(type: String, state: JobState, duration: Duration) {
        registry.makeCounter(
            name: "gaffer_job_attempts_total", labels: [("type", type), ("outcome", state.rawValue)],
            help: "Job attempts finished, by job type and outcome (queued means it failed and will be retried)"
        ).increment()
        registry.makeDurationHistogram(
            name: "gaffer_job_duration_seconds", labels: [("type", type)],
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500),
                      .seconds(1), .seconds(5), .seconds(30), .seconds(120), .seconds(600)],
            help: "How long job attempts ran, by job type"
        ).record(duration)
    }

    public func setWorkersBusy(_ count: Int) {
        workersBusy.set(Int64(count))
    }

    /// Reads the job gauges from the store, then renders every metric.
    public func render(queue: any JobQueue) async throws -> [UInt8] {
        let counts = try await queue.countsByState()
        for (state, gauge) in jobStates { gauge.set(Int64(counts[state] ?? 0)) }
        queueDepth.set(Int64(try await queue.runnableCount()))
        return registry.emitToBuffer()
    }
}
