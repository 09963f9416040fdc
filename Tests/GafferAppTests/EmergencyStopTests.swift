import Foundation
import GafferApp
import GafferCore
import GafferTestSupport
import Synchronization
import Testing

@testable import GafferStore

/// Work the emergency stop interrupts: it waits for the test's gate inside `stoppable`, and counts its starts.
final class StoppableJob: JobHandler {
    let jobType = "stoppable"
    private let state = Mutex((stop: EmergencyStop?.none, starts: 0, open: false))

    var starts: Int { state.withLock { $0.starts } }
    func use(_ stop: EmergencyStop) { state.withLock { $0.stop = stop } }
    func open() { state.withLock { $0.open = true } }

    func run(_ context: JobContext) async throws -> JobResult {
        let stop = state.withLock { state in
            state.starts += 1
            return state.stop
        }
        guard let stop else { throw PermanentJobFailure("no emergency stop to run under") }
        return try await stop.stoppable { [self] in
            try await waitUntil(timeout: .seconds(60), "the test to open the gate") { self.state.withLock { $0.open } }
            return JobResult(json: Data("{}".utf8))
        }
    }
}

@Suite struct EmergencyStopTests {
    @Test func thePauseIsKeptInTheStoreAndTheFirstOneStands() async throws {
        let directory = try TemporaryDirectory("gaffer-pause")
        defer { directory.remove() }
        let store = try SQLiteStore(dataDirectory: directory.url)
        defer { try? store.close() }
        try store.migrate()
        let stop = EmergencyStop(store: store)
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        try await stop.pause(by: "erin", reason: "bad deploy in prod", at: at)
        let again = try await stop.pause(by: "bob", reason: "me too", at: at.addingTimeInterval(60))
        #expect(again.by == "erin", "pausing again keeps who paused first")

        // Another process (`gaffer pause`, a second server) reads the same store.
        let elsewhere = EmergencyStop(store: store)
        #expect(elsewhere.current == nil)
        try await elsewhere.refresh()
        #expect(elsewhere.current == PauseState(by: "erin", reason: "bad deploy in prod", at: at))

        // Paused, stoppable work does not even start.
        let ran = Mutex(false)
        await #expect(throws: Paused.self) { try await elsewhere.stoppable { ran.withLock { $0 = true } } }
        #expect(!ran.withLock { $0 })

        try await elsewhere.resume()
        try await stop.refresh()
        #expect(stop.current == nil && elsewhere.current == nil)
        #expect(try await store.pauseState() == nil)
        #expect(try await stop.stoppable { 42 } == 42)
    }

    @Test func pausingStopsRunningWorkAndItsJobRunsAgainAfterTheResume() async throws {
        let job = StoppableJob()
        let fixture = try WorkerPoolTests.PoolFixture(handlers: [job])
        defer { fixture.cleanUp() }
        job.use(fixture.stop)
        let stopped = try await fixture.store.enqueue(NewJob(type: "stoppable", payload: Data("{}".utf8), maxAttempts: 3))
        try await fixture.whileRunning {
            try await waitUntil("the job to start") { job.starts == 1 }
            #expect(fixture.stop.stoppableRunning == 1)
            try await fixture.stop.pause(by: "erin", reason: "incident 42", at: Date())
            try await waitUntil("the job to be given back") { try await fixture.store.job(id: stopped.id)?.state == .queued }
            #expect(fixture.stop.stoppableRunning == 0)
            // Paused, jobs are still claimed (a comment is answered), but the stopped one is parked.
            let answered = try await fixture.store.enqueue(NewJob(type: "echo", payload: Data("{}".utf8), maxAttempts: 3))
            try await waitUntil("a job that stops nothing to run while paused") {
                try await fixture.store.job(id: answered.id)?.state == .succeeded
            }
            #expect(try await fixture.store.job(id: stopped.id)?.state == .queued)
            #expect(try await fixture.store.runnableCount() == 0, "the stopped job waits for the resume")
            #expect(job.starts == 1)

            job.open()
            try await fixture.stop.resume()
            // As long as the other waits on a loaded machine: a `.ci/run` under the whole suite timed out at 30 s here.
            try await waitUntil(timeout: .seconds(90), "the stopped job to run again after the resume") {
                try await fixture.store.job(id: stopped.id)?.state == .succeeded
            }
        }
        #expect(job.starts == 2)
        let done = try #require(try await fixture.store.job(id: stopped.id))
        #expect(done.attempts == 1, "the stopped attempt is not counted")
        let events = try await fixture.store.events(jobID: stopped.id)
        #expect(events.contains { $0.reason.hasPrefix("given back: Gaffer is paused (by erin at ") && $0.reason.contains("incident 42") })
    }
}
