import Foundation
import GafferCore
import GafferStore
import GafferTestSupport
import Logging
import Testing

@testable import GafferApp

struct RetentionTests {
    @Test("13: a full store shrinks to what is within retention_days while deliveries keep arriving, and nothing unfinished goes")
    func theStoreShrinksWhileIngestGoesOn() async throws {
        let directory = try TemporaryDirectory("gaffer-retention")
        defer { directory.remove() }
        let clock = ManualWallClock()
        let store = try SQLiteStore(path: directory.url.appendingPathComponent("gaffer.sqlite").path, clock: clock)
        try store.migrate()
        defer { try? store.close() }
        let jobsFolder = directory.url.appendingPathComponent("jobs", isDirectory: true)

        // A month ago: 1,200 deliveries whose jobs finished, 300 recorded without a job, 10 whose jobs still wait.
        for index in 0..<1_510 {
            let delivery = Delivery(id: "old-\(index)", event: "issues", action: "opened", receivedAt: clock.now(), body: Data("{}".utf8))
            let job = index < 1_200 || index >= 1_500 ? NewJob(type: "echo", payload: Data("{}".utf8), maxAttempts: 1, deliveryID: delivery.id) : nil
            _ = try await store.record(delivery, job: job)
        }
        let claimed = try await store.claim(owner: "w", limit: 1_200, leaseDuration: 60)
        for job in claimed {
            try FileManager.default.createDirectory(at: jobsFolder.appendingPathComponent(String(job.id)), withIntermediateDirectories: true)
            try Data("{}".utf8).write(to: jobsFolder.appendingPathComponent("\(job.id)/result.json"))
            _ = try await store.complete(try #require(job.lease), result: Data("{}".utf8))
        }
        let waiting = try await store.jobs(state: .queued, limit: 100)
        #expect(claimed.count == 1_200 && waiting.count == 10)
        clock.advance(by: 31 * 86_400)

        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let retention = RetentionService(
            store: store,
            jobsDirectory: jobsFolder,
            retention: 30 * 86_400,
            clock: clock,
            batchSize: 100,
            pause: .milliseconds(1),
            logger: logger
        )
        async let ingest: Void = {
            for index in 0..<300 {
                let delivery = Delivery(id: "new-\(index)", event: "issues", action: "opened", receivedAt: clock.now(), body: Data("{}".utf8))
                _ = try await store.record(delivery, job: NewJob(type: "echo", payload: Data("{}".utf8), maxAttempts: 1, deliveryID: delivery.id))
            }
        }()
        let (jobs, deliveries) = try await retention.sweep()
        try await ingest
        #expect(jobs == 1_200 && deliveries == 1_500)
        #expect(try await store.deliveryCount() == 310, "the ten waiting and the three hundred new")
        #expect(try await store.delivery(id: "old-1505") != nil)
        #expect(try await store.delivery(id: "new-299") != nil)
        #expect(try await store.delivery(id: "old-3") == nil)
        #expect(try await store.jobs(state: .succeeded, limit: 10).isEmpty)
        #expect(try await store.jobs(state: .queued, limit: 1_000).count == 310)
        #expect(try await store.events(jobID: try #require(claimed.first?.id)).isEmpty)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: jobsFolder.path))?.isEmpty ?? true)
        // Nothing left to delete: the next pass deletes nothing.
        let again = try await retention.sweep()
        #expect(again.jobs == 0 && again.deliveries == 0)
    }

    @Test func reportsFilesOlderThanTheRetentionAreDeleted() throws {
        let directory = try TemporaryDirectory("gaffer-retention-reports")
        defer { directory.remove() }
        let clock = ManualWallClock()
        let store = try SQLiteStore(path: directory.url.appendingPathComponent("gaffer.sqlite").path, clock: clock)
        try store.migrate()
        defer { try? store.close() }
        let reports = directory.url.appendingPathComponent("reports", isDirectory: true)
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        for (name, age) in [("old.json", 31.0), ("old.csv", 31), ("new.json", 29), ("notes.txt", 40)] {
            let file = reports.appendingPathComponent(name)
            try Data("{}".utf8).write(to: file)
            try FileManager.default.setAttributes([.modificationDate: clock.now().addingTimeInterval(-age * 86_400)], ofItemAtPath: file.path)
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let retention = RetentionService(
            store: store,
            jobsDirectory: directory.url.appendingPathComponent("jobs"),
            reportsDirectory: reports,
            retention: 30 * 86_400,
            clock: clock,
            logger: logger
        )
        #expect(retention.pruneReports() == 2)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: reports.path)) == ["new.json", "notes.txt"], "only reports' own files go")
    }
}
