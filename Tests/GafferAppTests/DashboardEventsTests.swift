import Foundation
import GafferApp
import GafferCore
import GafferStore
import GafferTestSupport
import NIOCore
import Testing

@testable import GafferApp

/// The live updates: one poll of the store for every open page, a `changed` event when something shown changed.
@Suite struct DashboardEventsTests {
    @Test func aSavedPlanReachesEveryOpenStreamAndAQuietStoreSendsOnlyHeartbeats() async throws {
        let directory = try TemporaryDirectory("events")
        defer { directory.remove() }
        let store = try SQLiteStore(dataDirectory: directory.url)
        try store.migrate()
        let events = DashboardEvents(data: store, interval: .milliseconds(20), heartbeat: .milliseconds(200))
        let streams = await (0..<3).asyncMap { _ in await events.subscribe() }
        #expect(await events.subscriberCount == 3)

        let received = Locked<[[String]]>(Array(repeating: [], count: 3))
        let readers = Task {
            await withTaskGroup(of: Void.self) { group in
                for (index, stream) in streams.enumerated() {
                    group.addTask {
                        for await chunk in stream { received.update { $0[index].append(String(buffer: chunk)) } }
                    }
                }
            }
        }
        // Nothing changes at first: each stream opens, then only keeps alive.
        try await waitUntil(timeout: .seconds(60), "a heartbeat on every stream") {
            received.update { $0.allSatisfy { $0.contains(": keep-alive\n\n") } }
        }
        #expect(received.update { $0.allSatisfy { $0.first == "retry: 3000\n: connected\n\n" } })
        #expect(!received.update { $0.joined().contains { $0.contains("changed") } })

        try await store.savePlan(DashboardSample.plans(count: 1, start: Date())[0])
        try await waitUntil(timeout: .seconds(60), "the change on every stream") {
            received.update { $0.allSatisfy { $0.contains { $0.hasPrefix("event: changed\ndata: {\"version\":\"") } } }
        }
        // The browsers go away (Hummingbird cancels the writer): their streams end and the poll stops with the last of them.
        readers.cancel()
        try await waitUntil(timeout: .seconds(60), "the subscribers to be gone") { await events.subscriberCount == 0 }
        try store.close()
    }
}

extension Sequence where Element: Sendable {
    fileprivate func asyncMap<T>(_ transform: (Element) async -> T) async -> [T] {
        var results: [T] = []
        for element in self { results.append(await transform(element)) }
        return results
    }
}
