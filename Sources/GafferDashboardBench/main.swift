import AsyncHTTPClient
import Crypto
import Foundation
import GafferApp
import GafferCore
import GafferStore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

// `gaffer-dashboard-bench [--tasks N] [--requests N] [--dashboards N] [--seconds S]`: the dashboard over a
// store of N tasks of 10 steps each (and 300 plans waiting for a decision), served by `gaffer serve` in
// process and read over HTTP on 127.0.0.1: p50 and p99 per page; then webhook ingest for S seconds with
// no dashboard open and with N dashboards on `/dashboard/events` while tasks move, side by side.

func option(_ name: String, _ fallback: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Int(arguments[index + 1]) else { return fallback }
    return value
}
/// A line on standard output at once (print buffers when the output is a pipe).
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
let taskCount = option("--tasks", 10_000)
let requests = option("--requests", 300)
let dashboards = option("--dashboards", 100)
let seconds = option("--seconds", 10)

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}
func ms(_ duration: Duration) -> Double { Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15 }
func format(_ value: Double) -> String { String(format: "%.2f", value) }

let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("gaffer-dashboard-bench-\(UUID().uuidString.prefix(8))")
defer { try? FileManager.default.removeItem(at: directory) }
let token = "dashboard-bench-operator-token"
let secret = "dashboard-bench-webhook-secret"
var configuration = GafferConfiguration()
configuration.host = "127.0.0.1"
configuration.port = 0
configuration.dataDirectory = directory
configuration.workers = 0
configuration.apiToken = Secret(token)
configuration.webhookSecrets = [Secret(secret)]
var logger = Logger(label: "dashboard-bench")
logger.logLevel = .error
let server = try await GafferServer(configuration: configuration, logger: logger)

// The data: tasks of 10 steps, and plans of pull requests waiting for a decision.
let seedStart = ContinuousClock.now
let start = Date().addingTimeInterval(-Double(taskCount) * 60)
for batch in stride(from: 0, to: taskCount, by: 500) {
    try await server.store.savePlans(DashboardSample.plans(count: min(500, taskCount - batch), from: batch, stepsEach: 10, start: start))
}
for number in 0..<300 {
    let key = StackKey(account: "123456789012", region: "us-east-1", name: "gaffer-s3-bucket-sample-bucket-\(number)")
    _ = try await server.store.saveChangePlan(
        ChangePlan(
            id: "acme/web#\(number + 20_000)@\(number)",
            repository: "acme/web",
            issue: number + 1,
            pullRequest: number + 20_000,
            headSHA: String(repeating: "ab", count: 20),
            stacks: [
                PlannedStack(
                    key: key,
                    changeSetType: "CREATE",
                    changeSetName: "gaffer-\(number)",
                    changeSetID: "arn:aws:cloudformation:us-east-1:123456789012:changeSet/gaffer-\(number)/1",
                    templatePath: "infra/\(key.name)/template.yaml",
                    templateHash: "0",
                    changes: [ResourceChange(action: "Add", logicalID: "Bucket", resourceType: "AWS::S3::Bucket")]
                )
            ],
            requestedBy: "gaffer[bot]",
            requester: "alice",
            createdAt: start.addingTimeInterval(Double(number))
        )
    )
}
let seeded = ContinuousClock.now - seedStart

let (ports, portFound) = AsyncStream.makeStream(of: Int.self)
let group = ServiceGroup(
    configuration: ServiceGroupConfiguration(services: [.init(service: server.makeApplication { portFound.yield($0) })], logger: logger)
)
let running = Task { try await group.run() }
var port = 0
for await found in ports {
    port = found
    break
}
let base = "http://127.0.0.1:\(port)"
// A connection per open dashboard and per ingest connection: the default pool holds 8 per host.
var clientConfiguration = HTTPClient.Configuration()
clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = dashboards + 64
let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)

func get(_ path: String) async throws -> Duration {
    var request = HTTPClientRequest(url: base + path)
    request.headers.add(name: "Authorization", value: "Bearer \(token)")
    let began = ContinuousClock.now
    let response = try await client.execute(request, timeout: .seconds(30))
    let body = try await response.body.collect(upTo: 16 << 20)
    let took = ContinuousClock.now - began
    guard response.status == .ok, body.readableBytes > 0 else { throw CancellationError() }
    return took
}

say("store: \(taskCount) tasks, \(taskCount * 10) steps, 300 plans waiting for a decision (seeded in \(format(ms(seeded) / 1000)) s)")
say("")
say("page                        requests    p50 ms    p99 ms    max ms")
let pages: [(String, @Sendable (Int) -> String)] = [
    ("overview", { _ in "/dashboard" }),
    ("task page", { n in "/dashboard/tasks/sample-\((n * 7919) % taskCount)" }),
    ("tasks, page 1", { _ in "/dashboard/tasks" }),
    ("tasks, page 150", { _ in "/dashboard/tasks?page=150" }),
    ("tasks, failed, page 10", { _ in "/dashboard/tasks?state=failed&page=10" }),
    ("decisions (20 of 300)", { _ in "/dashboard/decisions" }),
    ("api overview", { _ in "/dashboard/api/overview" }),
]
var results: [String: (p50: Double, p99: Double)] = [:]
for (name, path) in pages {
    for n in 0..<20 { _ = try await get(path(n)) }
    var times: [Double] = []
    for n in 0..<requests { times.append(ms(try await get(path(n)))) }
    results[name] = (percentile(times, 0.5), percentile(times, 0.99))
    say(
        name.padding(toLength: 26, withPad: " ", startingAt: 0) + String(requests).leftPad(10) + format(percentile(times, 0.5)).leftPad(10)
            + format(percentile(times, 0.99)).leftPad(10) + format(times.max() ?? 0).leftPad(10)
    )
}

// Ingest, with no dashboard open and then with `dashboards` open on the events stream while tasks move.
let payload = try Data(contentsOf: URL(fileURLWithPath: "webhooks/issues.opened.json"))
let body: Data = {
    guard let object = try? JSONSerialization.jsonObject(with: payload) as? [String: Any], let inner = object["body"],
        let data = try? JSONSerialization.data(withJSONObject: inner)
    else { return payload }
    return data
}()
let signature =
    "sha256=" + HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))).map { String(format: "%02x", $0) }.joined()

func ingest(for duration: Duration) async throws -> (perSecond: Double, p99: Double) {
    let deadline = ContinuousClock.now + duration
    let latencies = try await withThrowingTaskGroup(of: [Double].self) { tasks in
        for _ in 0..<32 {
            tasks.addTask {
                var times: [Double] = []
                while ContinuousClock.now < deadline {
                    var request = HTTPClientRequest(url: base + "/webhooks/github")
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.headers.add(name: "X-GitHub-Event", value: "issues")
                    request.headers.add(name: "X-GitHub-Delivery", value: UUID().uuidString)
                    request.headers.add(name: "X-Hub-Signature-256", value: signature)
                    request.body = .bytes(ByteBuffer(bytes: body))
                    let began = ContinuousClock.now
                    let response = try await client.execute(request, timeout: .seconds(30))
                    _ = try await response.body.collect(upTo: 1 << 20)
                    if (200..<300).contains(response.status.code) { times.append(ms(ContinuousClock.now - began)) }
                }
                return times
            }
        }
        var all: [Double] = []
        for try await times in tasks { all += times }
        return all
    }
    return (Double(latencies.count) / Double(duration.components.seconds), percentile(latencies, 0.99))
}

let quiet = try await ingest(for: .seconds(seconds))

/// Open streams: each records when each `changed` event arrived.
final class Arrivals: Sendable {
    let times = Mutex<[[ContinuousClock.Instant]]>([])
    let opened = Mutex(0)
}
let arrivals = Arrivals()
arrivals.times.withLock { $0 = Array(repeating: [], count: dashboards) }
let streams = Task {
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        for index in 0..<dashboards {
            tasks.addTask {
                var request = HTTPClientRequest(url: base + "/dashboard/events")
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                let response = try await client.execute(request, timeout: .hours(1))
                arrivals.opened.withLock { $0 += 1 }
                for try await chunk in response.body where String(buffer: chunk).contains("event: changed") {
                    let now = ContinuousClock.now
                    arrivals.times.withLock { $0[index].append(now) }
                }
            }
        }
        try await tasks.waitForAll()
    }
}
while arrivals.opened.withLock({ $0 }) < dashboards { try await Task.sleep(for: .milliseconds(20)) }
try await Task.sleep(for: .seconds(1))
// Tasks move while the ingest runs: a plan saved every 200 ms, each a change every open page hears of.
let saves = Mutex<[ContinuousClock.Instant]>([])
let mover = Task {
    var number = taskCount
    while !Task.isCancelled {
        try await server.store.savePlans(DashboardSample.plans(count: 1, from: number, stepsEach: 10, start: start))
        saves.withLock { $0.append(.now) }
        number += 1
        try await Task.sleep(for: .milliseconds(200))
    }
}
let loaded = try await ingest(for: .seconds(seconds))
mover.cancel()
try await Task.sleep(for: .seconds(2))
streams.cancel()

// Each save's delay to each stream: the first event that stream received after the save.
let saved = saves.withLock { $0 }
var delays: [Double] = []
var received: [Int] = []
for times in arrivals.times.withLock({ $0 }) {
    received.append(times.count)
    for (index, save) in saved.enumerated() {
        let next = index + 1 < saved.count ? saved[index + 1] : save + .seconds(5)
        if let arrival = times.first(where: { $0 >= save && $0 < next + .seconds(1) }) { delays.append(ms(arrival - save)) }
    }
}
say("")
say("ingest for \(seconds) s, 32 connections          durable/s    p99 ms")
say("no dashboard open                         " + String(Int(quiet.perSecond)).leftPad(10) + format(quiet.p99).leftPad(10))
say("\(dashboards) dashboards on /dashboard/events       " + String(Int(loaded.perSecond)).leftPad(10) + format(loaded.p99).leftPad(10))
say("")
say(
    "events: \(saved.count) plans saved during the ingest; each stream received \(received.min() ?? 0)–\(received.max() ?? 0) `changed` events; "
        + "save-to-event delay p50 \(format(percentile(delays, 0.5))) ms, p99 \(format(percentile(delays, 0.99))) ms over \(delays.count) deliveries"
)
let overview = results["overview"]?.p99 ?? .infinity
let task = results["task page"]?.p99 ?? .infinity
say(
    "target p99 ≤ 50 ms: overview \(overview <= 50 ? "met" : "MISSED") (\(format(overview)) ms), task page \(task <= 50 ? "met" : "MISSED") (\(format(task)) ms)"
)

try await client.shutdown()
await group.triggerGracefulShutdown()
_ = await running.result
server.store.shutdown()

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? " " + self : String(repeating: " ", count: width - count) + self }
}
