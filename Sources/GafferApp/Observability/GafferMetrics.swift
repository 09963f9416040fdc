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
    private let paused: Gauge
    private let unverifiedBytes: Gauge

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var deliveries: [DeliveryOutcome: Counter] = [:]
        for outcome in DeliveryOutcome.allCases {
            deliveries[outcome] = registry.makeCounter(
                descriptor: Self.name(
                    "webhook_deliveries",
                    unit: "total",
                    help:
                        "Webhook deliveries received, by outcome: queued (stored, job queued), recorded (stored, no job), duplicate (seen before), rejected (refused, nothing stored)"
                ),
                labels: [("outcome", outcome.rawValue)]
            )
        }
        self.deliveries = deliveries
        var jobStates: [JobState: Gauge] = [:]
        for state in JobState.allCases {
            jobStates[state] = registry.makeGauge(
                descriptor: Self.name("jobs", help: "Jobs in the store, by state"),
                labels: [("state", state.rawValue)]
            )
        }
        self.jobStates = jobStates
        queueDepth = registry.makeGauge(descriptor: Self.name("job_queue_depth", help: "Queued jobs whose time to run has come"))
        workersBusy = registry.makeGauge(descriptor: Self.name("workers_busy", help: "Workers of this process running a job"))
        paused = registry.makeGauge(descriptor: Self.name("paused", help: "1 while the emergency stop is on: work is stopped and parked"))
        unverifiedBytes = registry.makeGauge(
            descriptor: Self.name(
                "webhook_unverified",
                unit: "bytes",
                help: "Bytes of webhook bodies held before their signature is checked (503 past webhook_unverified_max_bytes)"
            )
        )
    }

    public func delivery(_ outcome: DeliveryOutcome) {
        deliveries[outcome]?.increment()
    }

    /// Counts a refused delivery, by why it was refused.
    public func rejection(reason: String) {
        delivery(.rejected)
        registry.makeCounter(
            descriptor: Self.name("webhook_rejections", unit: "total", help: "Webhook deliveries refused, by reason"),
            labels: [("reason", reason)]
        ).increment()
    }

    public func jobFinished(type: String, state: JobState, duration: Duration) {
        registry.makeCounter(
            descriptor: Self.name(
                "job_attempts",
                unit: "total",
                help: "Job attempts finished, by job type and outcome (queued means it failed and will be retried)"
            ),
            labels: [("type", type), ("outcome", state.rawValue)]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: Self.name("job_duration", unit: "seconds", help: "How long job attempts ran, by job type"),
            labels: [("type", type)],
            buckets: [
                .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500),
                .seconds(1), .seconds(5), .seconds(30), .seconds(120), .seconds(600),
            ]
        ).record(duration)
    }

    /// Time spent waiting for AWS in plans and applies, by operation: what a benchmark subtracts to get Gaffer's own time.
    public func awsCall(_ operation: String, duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: Self.name("aws_call_duration", unit: "seconds", help: "How long Gaffer waited for AWS in plans and applies, by operation"),
            labels: [("operation", operation)],
            buckets: [.milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2), .seconds(10), .seconds(60)]
        ).record(duration)
    }

    /// `gaffer_<name>[_<unit>]`.
    private static func name(_ name: String, unit: String = "", help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "gaffer", metricName: name, unitName: unit, helpText: help)
    }

    func setUnverifiedBytes(_ count: Int) {
        unverifiedBytes.set(Int64(count))
    }

    public func setWorkersBusy(_ count: Int) {
        workersBusy.set(Int64(count))
    }

    public func setPaused(_ on: Bool) {
        paused.set(Int64(on ? 1 : 0))
    }

    /// Reads the job gauges from the store, then renders every metric.
    public func render(queue: any JobQueue) async throws -> [UInt8] {
        let counts = try await queue.countsByState()
        for (state, gauge) in jobStates { gauge.set(Int64(counts[state] ?? 0)) }
        queueDepth.set(Int64(try await queue.runnableCount()))
        return registry.emitToBuffer()
    }
}
