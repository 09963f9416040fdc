import Foundation
import GafferCore
import GafferStore
import Logging

extension GafferConfiguration {
    /// `database_url` with the password from `database_password(_file)` when one is set.
    var databaseAddress: PostgresAddress? {
        guard var address = database else { return nil }
        if let databasePassword { address.password = databasePassword }
        return address
    }

    /// The store this configuration names, migrated: PostgreSQL at `database_url`, else SQLite in the data directory.
    /// Returns the migrations this call applied too.
    public func openStore(clock: any WallClock = SystemWallClock(), logger: Logger) async throws -> (store: any GafferDatabase, applied: [String]) {
        if let address = databaseAddress {
            let store = try PostgresStore(address: address, poolSize: databasePoolSize, clock: clock, redactor: redactor, logger: logger)
            do {
                return (store, try await store.migrate())
            } catch {
                store.close()
                throw StoreOpeningError(location: address.description, reason: "\(error)")
            }
        }
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let store = try SQLiteStore(dataDirectory: dataDirectory, synchronous: sqliteSynchronous, clock: clock, redactor: redactor)
        return (store, try store.migrate())
    }
}

/// The store could not be opened; says where it looked and why.
public struct StoreOpeningError: Error, CustomStringConvertible {
    public let location: String
    public let reason: String
    public var description: String { "cannot open the store at \(location): \(reason)" }
}
