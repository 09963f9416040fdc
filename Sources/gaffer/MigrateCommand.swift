import ArgumentParser
import Foundation
import GafferApp
import GafferStore

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract:
            "Create or upgrade the store (SQLite in the data directory, or PostgreSQL at database_url), then exit. (serve and worker also do this at start; several at once are safe.)",
        discussion: """
            With --from, copies a SQLite store into PostgreSQL instead, so an installation that outgrows one machine keeps
            its history: gaffer migrate --from sqlite:/var/lib/gaffer --to postgres://gaffer@db:5432/gaffer
            The copy may run while the SQLite Gaffer still works; it can be stopped and run again, and goes on where it stopped.
            Each table is verified by its count and a checksum. For the final copy, stop the SQLite Gaffer, run it once more,
            then start Gaffer with database_url.
            """
    )

    @Option(help: "Copy this SQLite store into PostgreSQL: sqlite:PATH, PATH a data directory or its gaffer.sqlite.")
    var from: String?

    @Option(help: "The PostgreSQL store to copy into, postgres://USER@HOST:PORT/DATABASE (default: database_url).")
    var to: String?

    @OptionGroup var options: ConfigOption

    func validate() throws {
        if to != nil && from == nil { throw ValidationError("--to goes with --from: say which SQLite store to copy (--from sqlite:PATH)") }
        if let from, !from.hasPrefix("sqlite:") {
            throw ValidationError("--from takes sqlite:PATH (a data directory or its gaffer.sqlite), not '\(from)'")
        }
    }

    func run() async throws {
        let configuration = try CommandSupport.loadConfiguration(options, needs: from == nil ? [.dataDirectory] : [])
        guard let from else {
            let (store, applied) = try await CommandSupport.openStore(configuration)
            store.shutdown()
            if applied.isEmpty {
                print("\(store.location): up to date")
            } else {
                print("\(store.location): applied \(applied.count) migration\(applied.count == 1 ? "" : "s")")
                for name in applied { print("  \(name)") }
            }
            return
        }
        try await copy(from: String(from.dropFirst("sqlite:".count)), configuration: configuration)
    }

    private func copy(from path: String, configuration: GafferConfiguration) async throws {
        var isDirectory: ObjCBool = false
        let file =
            FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            ? "\(path)/\(SQLiteStore.fileName)" : path
        guard FileManager.default.fileExists(atPath: file) else { fail("there is no SQLite store at \(file)") }
        var target: PostgresAddress
        do {
            guard let address = try to.map({ try PostgresAddress(url: $0) }) ?? configuration.database else {
                fail("say where to copy to: --to postgres://USER@HOST:5432/DATABASE, or database_url in the configuration")
            }
            target = address
        } catch {
            fail("--to: \(error)")
        }
        if let password = configuration.databasePassword { target.password = password }
        let source = try SQLiteStore(path: file, synchronous: configuration.sqliteSynchronous)
        defer { try? source.close() }
        try source.migrate()
        let store = try PostgresStore(address: target, poolSize: 4)
        defer { store.close() }
        do {
            try await store.migrate()
        } catch {
            fail("cannot open \(target): \(error)")
        }
        print("copying \(file) to \(target)")
        let reports = try await StoreCopy(source: source, target: store).run { line in
            FileHandle.standardError.write(Data("  \(line)\n".utf8))
        }
        for report in reports {
            let verdict = report.verified ? "verified" : report.sourceRows != report.targetRows ? "COUNTS DIFFER" : "CHECKSUMS DIFFER"
            print("\(report.table): \(report.copied) copied; \(report.sourceRows) in SQLite, \(report.targetRows) in PostgreSQL; \(verdict)")
        }
        guard reports.allSatisfy(\.verified) else {
            FileHandle.standardError.write(
                Data(
                    "gaffer migrate: the tables above differ: the SQLite store changed during the copy (is Gaffer still running on it?). Stop it and run the same command again.\n"
                        .utf8
                )
            )
            throw ExitCode(1)
        }
        print("every table verified: set database_url to this database and start Gaffer")
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("gaffer migrate: \(message)\n".utf8))
        Foundation.exit(2)
    }
}
