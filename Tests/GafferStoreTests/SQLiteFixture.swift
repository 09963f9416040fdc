import Foundation
import GafferCore
import GafferStore
import GafferTestSupport

/// A SQLite store in a temporary directory, for what only SQLite has (its group commit).
struct SQLiteFixture {
    let directory: TemporaryDirectory
    let clock = ManualWallClock()
    let store: SQLiteStore

    init() throws {
        directory = try TemporaryDirectory("gaffer-store")
        store = try SQLiteStore(dataDirectory: directory.url, clock: clock)
        try store.migrate()
    }

    func cleanUp() {
        try? store.close()
        directory.remove()
    }
}
