import Foundation
import GafferCore
import GafferStore
import GafferTestSupport
import Testing

@Suite(.postgres) struct JobQueueTests {
    @Test(
        "26: renewing by owner extends every lease the owner holds, claimed and not yet started too, and no one else's",
        arguments: Backend.allCases
    )
    func heartbeatByOwner(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let queue = fixture.store
        for _ in 0..<3 { _ = try await queue.enqueue(fixture.newJob()) }
        let mine = try await queue.claim(owner: "a", limit: 2, leaseDuration: 10)
        let theirs = try await queue.claim(owner: "b", limit: 1, leaseDuration: 10)
        fixture.clock.advance(by: 8)
        let held = try await queue.heartbeat(owner: "a", leaseDuration: 10)
        #expect(Set(held) == Set(mine.compactMap(\.lease)))
        fixture.clock.advance(by: 8)
        // Sixteen seconds after the claim: b's lease has run out and can be claimed again; a's have not.
        let reclaimed = try await queue.claim(owner: "c", limit: 5, leaseDuration: 10)
        #expect(reclaimed.map(\.id) == theirs.map(\.id))
    }

    @Test(arguments: Backend.allCases) func aJobGoesFromQueuedToRunningToSucceededAndEachChangeIsRecorded(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let queue = fixture.store
        let job = try await queue.enqueue(fixture.newJob())
        #expect(job.state == .queued)
        #expect(job.attempts == 0)

        let claimed = try await queue.claim(owner: "w1", limit: 5, leaseDuration: 30)
        #expect(claimed.map(\.id) == [job.id])
        #expect(claimed.first?.state == .running)
        #expect(claimed.first?.attempts == 1)
        #expect(try await queue.claim(owner: "w2", limit: 5, leaseDuration: 30).isEmpty)

        let lease = try #require(claimed.first?.lease)
        #expect(try await queue.complete(lease, result: Data(#"{"ok":true}"#.utf8)))
        let done = try #require(try await queue.job(id: job.id))
        #expect(done.state == .succeeded)
        #expect(done.result == Data(#"{"ok":true}"#.utf8))
        #expect(done.finishedAt != nil)
        #expect(done.leaseOwner == nil)

        let events = try await queue.events(jobID: job.id)
        #expect(events.map(\.to) == [.queued, .running, .succeeded])
        #expect(events.map(\.from) == [nil, .queued, .running])
        #expect(events[1].worker == "w1")
    }

    @Test(arguments: Backend.allCases) func jobsQueuedAtOnceEachGetTheirOwnRowAndOneThatCannotBeStoredFailsAlone(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let queue = fixture.store
        // Enqueued together, they share statements; every tenth names a delivery that does not exist, which the
        // database refuses, and only that one may fail.
        let outcomes = await withTaskGroup(of: (Int, Job?).self) { group in
            for n in 0..<200 {
                let job = NewJob(
                    type: "echo",
                    payload: Data(#"{"n":\#(n)}"#.utf8),
                    maxAttempts: 1 + n % 4,
                    deliveryID: n % 10 == 0 ? "missing-\(n)" : nil
                )
                group.addTask { (n, try? await queue.enqueue(job)) }
            }
            return await group.reduce(into: [Int: Job?]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.filter { $0.value == nil }.keys.sorted() == Array(stride(from: 0, to: 200, by: 10)))
        for (n, queued) in outcomes {
            guard let queued else { continue }
            let stored = try #require(try await queue.job(id: queued.id))
            #expect(stored.payload == Data(#"{"n":\#(n)}"#.utf8), "job \(queued.id) holds another's payload")
            #expect(stored.maxAttempts == 1 + n % 4)
            #expect(try await queue.events(jobID: queued.id).map(\.to) == [.queued])
        }
        #expect(try await queue.countsByState()[.queued] == 180)
    }

    @Test(arguments: Backend.allCases) func successesRecordedAtOnceKeepEachResultAndRefuseLostLeases(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let queue = fixture.store
        for _ in 0..<100 { _ = try await queue.enqueue(fixture.newJob()) }
        let claimed = try await queue.claim(owner: "w", limit: 100, leaseDuration: 30)
        #expect(claimed.count == 100)
        // Every fourth completes under a lease it does not hold (the wrong attempt), as a worker that lost it would.
        let answers = try await withThrowingTaskGroup(of: (JobID, Bool).self) { group in
            for (n, job) in claimed.enumerated() {
                guard var lease = job.lease else { continue }
                if n % 4 == 0 { lease.attempt += 1 }
                group.addTask { (job.id, try await queue.complete(lease, result: Data(#"{"job":\#(job.id)}"#.utf8))) }
            }
            return try await group.reduce(into: [JobID: Bool]()) { $0[$1.0] = $1.1 }
        }
        for (n, job) in claimed.enumerated() {
            let stored = try #require(try await queue.job(id: job.id))
            #expect(answers[job.id] == (n % 4 != 0))
            if n % 4 == 0 {
                #expect(stored.state == .running)
                #expect(stored.result == nil)
            } else {
                #expect(stored.state == .succeeded)
                #expect(stored.result == Data(#"{"job":\#(job.id)}"#.utf8))
                #expect(try await queue.events(jobID: job.id).map(\.to) == [.queued, .running, .succeeded])
            }
        }
    }

    @Test(arguments: Backend.allCases) func aFailedAttemptWaitsForItsBackoffThenRunsAgain(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let queue = fixture.store
        let job = try await queue.enqueue(fixture.newJob(maxAttempts: 3))
        let lease = try #require(try await queue.claim(owner: "w", limit: 1, leaseDuration: 30).first?.lease)
        #expect(try await queue.fail(lease, error: "boom", retryAfter: 10) == .queued)

        // Not before its time.
        fixture.clock.advance(by: 9)
        #expect(try await queue.claim(owner: "w", limit: 1, leaseDuration: 30).isEmpty)
        fixture.clock.advance(by: 2)
        let again = try #require(try await queue.claim(owner: "w", limit: 1, leaseDuration: 30).first)
        #expect(again.id == job.id)
        #expect(again.attempts == 2)
        #expect(again.error == "boom")
    }

    @Test(arguments: Backend.allCases) func theLastAttemptsFailureIsFinal(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let queue = fixture.store
        let job = try await queue.enqueue(fixture.newJob(maxAttempts: 2))
        for attempt in 1...2 {
            let lease = try #require(try await queue.claim(owner: "w", limit: 1, leaseDuration: 30).first?.lease)
            #expect(lease.attempt == attempt)
            let state = try await queue.fail(lease, error: "still broken", retryAfter: 0)
            #expect(state == (attempt == 2 ? .failed : .queued))
        }
        let failed = try #require(try await queue.job(id: job.id))
        #expect(failed.state == .failed)
        #expect(failed.error == "still broken")
        #expect(try await queue.events(jobID: job.id).last?.reason.contains("no attempts left") == true)
    }

    @Test(arguments: Backend.allCases) func aPermanentFailureIsNotRetried(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let job = try await fixture.store.enqueue(fixture.newJob(maxAttempts: 5))
        let lease = try #require(try await fixture.store.claim(owner: "w", limit: 1, leaseDuration: 30).first?.lease)
        #expect(try await fixture.store.fail(lease, error: "bad payload", retryAfter: nil) == .failed)
        #expect(try await fixture.store.job(id: job.id)?.attempts == 1)
    }

    @Test(arguments: Backend.allCases) func anExpiredLeaseLetsAnotherWorkerTakeTheJobAndFencesOutTheFirst(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let queue = fixture.store
        let job = try await queue.enqueue(fixture.newJob())
        let first = try #require(try await queue.claim(owner: "dead", limit: 1, leaseDuration: 5).first?.lease)

        fixture.clock.advance(by: 4)
        #expect(try await queue.claim(owner: "w2", limit: 1, leaseDuration: 5).isEmpty)
        fixture.clock.advance(by: 2)
        let second = try #require(try await queue.claim(owner: "w2", limit: 1, leaseDuration: 5).first)
        #expect(second.id == job.id)
        #expect(second.attempts == 2)
        #expect(second.leaseOwner == "w2")

        // The first worker comes back to life: everything it says is refused.
        #expect(try await queue.complete(first, result: Data("{}".utf8)) == false)
        #expect(try await queue.fail(first, error: "late", retryAfter: 0) == nil)
        #expect(try await queue.heartbeat(owner: "dead", leaseDuration: 5).isEmpty)

        let secondLease = try #require(second.lease)
        #expect(try await queue.complete(secondLease, result: Data("{}".utf8)))
        let events = try await queue.events(jobID: job.id)
        #expect(events.filter { $0.to == .succeeded }.count == 1)
        #expect(events.contains { $0.reason.contains("lease of worker dead expired") })
    }

    @Test(arguments: Backend.allCases) func heartbeatsKeepALeaseAlive(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let queue = fixture.store
        _ = try await queue.enqueue(fixture.newJob())
        let lease = try #require(try await queue.claim(owner: "w1", limit: 1, leaseDuration: 5).first?.lease)
        for _ in 0..<4 {
            fixture.clock.advance(by: 3)
            #expect(try await queue.heartbeat(owner: "w1", leaseDuration: 5) == [lease])
            #expect(try await queue.claim(owner: "w2", limit: 1, leaseDuration: 5).isEmpty)
        }
    }

    @Test(arguments: Backend.allCases) func aLeaseThatExpiresOnTheLastAttemptFailsTheJob(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let job = try await fixture.store.enqueue(fixture.newJob(maxAttempts: 1))
        _ = try await fixture.store.claim(owner: "dead", limit: 1, leaseDuration: 1)
        fixture.clock.advance(by: 2)
        #expect(try await fixture.store.claim(owner: "w", limit: 1, leaseDuration: 1).isEmpty)
        let failed = try #require(try await fixture.store.job(id: job.id))
        #expect(failed.state == .failed)
        #expect(failed.error?.contains("no attempts left") == true)
    }

    @Test(arguments: Backend.allCases) func releasingGivesTheAttemptBack(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let job = try await fixture.store.enqueue(fixture.newJob())
        let lease = try #require(try await fixture.store.claim(owner: "w", limit: 1, leaseDuration: 30).first?.lease)
        try await fixture.store.release([lease], reason: "shutting down")
        let released = try #require(try await fixture.store.job(id: job.id))
        #expect(released.state == .queued)
        #expect(released.attempts == 0)
        #expect(try await fixture.store.events(jobID: job.id).last?.reason == "shutting down")
    }

    @Test(arguments: Backend.allCases) func cancellingStopsAJobFromBeingClaimedAndLeavesFinishedJobsAlone(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let queue = fixture.store
        let job = try await queue.enqueue(fixture.newJob())
        let cancelled = try #require(try await queue.cancel(id: job.id, reason: "not needed"))
        #expect(cancelled.state == .cancelled)
        #expect(try await queue.claim(owner: "w", limit: 1, leaseDuration: 30).isEmpty)
        #expect(try await queue.cancel(id: 999, reason: "x") == nil)

        let other = try await queue.enqueue(fixture.newJob())
        let lease = try #require(try await queue.claim(owner: "w", limit: 1, leaseDuration: 30).first?.lease)
        #expect(try await queue.complete(lease, result: Data("{}".utf8)))
        #expect(try await queue.cancel(id: other.id, reason: "too late")?.state == .succeeded)
    }

    @Test(arguments: Backend.allCases) func listingFiltersByStateAndCountsAreByState(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        for _ in 0..<3 { _ = try await fixture.store.enqueue(fixture.newJob()) }
        _ = try await fixture.store.claim(owner: "w", limit: 1, leaseDuration: 30)
        #expect(try await fixture.store.jobs(state: .queued, limit: 10).count == 2)
        #expect(try await fixture.store.jobs(state: .running, limit: 10).count == 1)
        #expect(try await fixture.store.jobs(state: nil, limit: 2).count == 2)
        let counts = try await fixture.store.countsByState()
        #expect(counts[.queued] == 2)
        #expect(counts[.running] == 1)
        #expect(counts[.failed] == 0)
        #expect(try await fixture.store.runnableCount() == 2)
    }

    @Test(arguments: Backend.allCases) func manyWorkersClaimingAtOnceNeverShareAJob(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let store = fixture.store
        for _ in 0..<200 { _ = try await store.enqueue(fixture.newJob()) }
        let claims = try await withThrowingTaskGroup(of: [JobID].self) { group in
            for worker in 0..<16 {
                group.addTask {
                    var mine: [JobID] = []
                    while true {
                        let jobs = try await store.claim(owner: "w\(worker)", limit: 3, leaseDuration: 30)
                        if jobs.isEmpty { return mine }
                        mine += jobs.map(\.id)
                    }
                }
            }
            return try await group.reduce(into: [JobID]()) { $0 += $1 }
        }
        #expect(claims.count == 200)
        #expect(Set(claims).count == 200)
    }

    @Test(arguments: Backend.allCases) func migratingTwiceAppliesNothingTheSecondTime(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        switch fixture.store {
        case let store as SQLiteStore: #expect(try store.migrate().isEmpty)
        case let store as PostgresStore: #expect(try await store.migrate().isEmpty)
        default: Issue.record("a store of neither back end")
        }
    }
}
