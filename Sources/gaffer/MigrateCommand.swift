import ArgumentParser
import Foundation
import GafferApp
import GafferStore

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the store in the data directory, then exit. (serve and worker also do this at start.)"
    )

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let configuration = try CommandSupport.loadConfiguration(options, needs: [.dataDirectory])
        let store = try SQLiteStore(dataDirectory: configuration.dataDirectory, synchronous: configuration.sqliteSynchronous)
        let applied = try store.migrate()
        try store.close()
        if applied.isEmpty {
            print("\(store.path): up to date")
        } else {
            print("\(store.path): applied \(applied.count) migration\(applied.count == 1 ? "" : "s")")
            for name in applied { print("  \(name)") }
        }
    }
}
