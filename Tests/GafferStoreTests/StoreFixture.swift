import Foundation
import GafferCore
import GafferStore
import GafferTestSupport

/// A store in a temporary directory, on a clock the test moves by hand.
struct StoreFixture {
    let directory: TemporaryDirectory
    let clock = ManualWallClock()
    let store: SQLiteStore

    init() throws {
        directory = try TemporaryDirectory("gaffer-store")
        store = try SQLiteStore(dataDirectory: directory.url, clock: clock)
        try store.migrate()
    }

    func delivery(_ id: String, event: String = "issues", action: String? = "opened") -> Delivery {
        Delivery(id: id, event: event, action: action, receivedAt: clock.now(), body: Data(#"{"action":"opened"}"#.utf8))
    }

    func newJob(_ type: String = "echo", maxAttempts: Int = 3) -> NewJob {
        NewJob(type: type, payload: Data(#"{"n":1}"#.utf8), maxAttempts: maxAttempts)
    }

    func cleanUp() {
        try? store.close()
        directory.remove()
    }
}
