import ArgumentParser
import Foundation
import GafferApp
import GafferStore

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract:
            "Create or upgrade the store (SQLite in the data directory, or PostgreSQL at database_url), then exit. (serve and worker also do this at start; several at once are safe.)"
    )

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let configuration = try CommandSupport.loadConfiguration(options, needs: [.dataDirectory])
        let (store, applied) = try await CommandSupport.openStore(configuration)
        store.shutdown()
        if applied.isEmpty {
            print("\(store.location): up to date")
        } else {
            print("\(store.location): applied \(applied.count) migration\(applied.count == 1 ? "" : "s")")
            for name in applied { print("  \(name)") }
        }
    }
}
