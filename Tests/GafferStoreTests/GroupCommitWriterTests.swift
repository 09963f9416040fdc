import Foundation
import GRDB
import GafferCore
import Testing

@testable import GafferStore

@Suite struct GroupCommitWriterTests {
    struct Refused: Error {}

    @Test func aWriteThatThrowsIsRolledBackAloneAndTheOthersCommit() async throws {
        let fixture = try SQLiteFixture()
        defer { fixture.cleanUp() }
        let writer = fixture.store.writer
        try await writer.write { db in try db.execute(sql: "CREATE TABLE t (n INTEGER)") }
        let results = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<200 {
                group.addTask {
                    do {
                        try await writer.write { db in
                            try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: [n])
                            // Every tenth write fails after it has written.
                            if n % 10 == 0 { throw Refused() }
                        }
                        return true
                    } catch {
                        return false
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 180)
        let stored = try await fixture.store.pool.read { db in try Int.fetchAll(db, sql: "SELECT n FROM t ORDER BY n") }
        #expect(stored.count == 180)
        #expect(!stored.contains { $0 % 10 == 0 })
    }

    @Test func theLogStaysBoundedUnderSteadyWriting() async throws {
        let fixture = try SQLiteFixture()
        defer { fixture.cleanUp() }
        let store = fixture.store
        let body = Data(repeating: UInt8(ascii: "x"), count: 6000)
        // About 30,000 log pages of deliveries, far past the restart mark.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    for n in 0..<500 {
                        let delivery = Delivery(id: "d-\(worker)-\(n)", event: "issues", action: "opened", receivedAt: Date(), body: body)
                        _ = try await store.record(delivery, job: nil)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.deliveryCount() == 8000)
        let wal = try FileManager.default.attributesOfItem(atPath: store.path + "-wal")[.size] as? Int ?? 0
        // Without restarts the log would hold every page written: about 85 MB. On a loaded machine (the replica
        // tests run beside this) the checkpointer falls behind for a while, and the log has reached 48 MB.
        #expect(wal < 64 << 20, "the write-ahead log grew to \(wal) bytes")
    }
}
