import AsyncHTTPClient
import Foundation
import GafferApp
import GafferCore
import GafferStore
import GafferTestSupport
import Logging
import ServiceLifecycle
import Testing

@Suite(.serialized) struct DeliveryIngestTests {
    /// `gaffer serve`'s application run in this process on an ephemeral port.
    struct LiveServer {
        let directory: TemporaryDirectory
        let server: GafferServer

        init(workers: Int) async throws {
            directory = try TemporaryDirectory("gaffer-live")
            var logger = Logger(label: "live")
            logger.logLevel = .warning
            server = try await GafferServer(configuration: TestConfiguration.make(directory: directory.url, workers: workers), logger: logger)
        }

        func run(_ body: @Sendable (Int) async throws -> Void) async throws {
            let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
            let application = server.makeApplication { port in portContinuation.yield(port) }
            let group = ServiceGroup(configuration: .init(services: [application], logger: Logger(label: "group")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var iterator = portStream.makeAsyncIterator()
                guard let port = await iterator.next() else { throw CancellationError() }
                do {
                    try await body(port)
                } catch {
                    await group.triggerGracefulShutdown()
                    throw error
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            server.store.shutdown()
            directory.remove()
        }
    }

    @Test func aThousandConcurrentDeliveriesTwiceMakeExactlyAThousandJobs() async throws {
        let live = try await LiveServer(workers: 4)
        let store = live.server.store
        let deliveries = try (0..<1000).map { try SignedDelivery.issueOpened(title: "Bucket \($0)") }
        // A thousand requests queue for the client's few connections; each may wait its turn longer than the 10 s
        // AsyncHTTPClient allows by default while the whole suite shares the machine.
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(timeout: .init(connect: .seconds(300))))
        defer { Task { try? await client.shutdown() } }
        try await live.run { port in
            for round in 1...2 {
                let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                    for delivery in deliveries {
                        // A generous deadline: this checks exactly-once under concurrency, not speed, and the rest
                        // of the suite (moto, git servers, builds, the application pipelines' installs) shares the
                        // machine's two cores.
                        group.addTask { try await client.deliver(delivery, port: port, timeout: .seconds(300)) }
                    }
                    return try await group.reduce(into: [UInt]()) { $0.append($1) }
                }
                // New deliveries are accepted, redeliveries acknowledged.
                #expect(statuses.filter { $0 == (round == 1 ? 202 : 200) }.count == 1000, "round \(round)")
            }
            #expect(try await store.deliveryCount() == 1000)
            try await waitUntil(timeout: .seconds(300), "every job to finish") {
                try await store.countsByState()[.succeeded] == 1000
            }
            let counts = try await store.countsByState()
            #expect(counts.values.reduce(0, +) == 1000)
        }
    }
}
