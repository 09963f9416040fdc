import ArgumentParser
import Foundation
import GafferApp
import GafferCore
import GafferStore

/// `gaffer pause --reason` and `gaffer resume`: the emergency stop, from a shell that can reach the
/// store (the data directory, or the PostgreSQL server). Every running `gaffer serve` sees it within a second.
struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract:
            "Stop Gaffer at once: no job is claimed, running pipelines and agent steps stop and go back to the queue, and /apply and /destroy are refused, until `gaffer resume`."
    )

    @Option(help: "Why: shown in the refusals and on the dashboard.")
    var reason: String

    @Option(help: "Who paused it (default: the login running this).")
    var by: String?

    @OptionGroup var config: ConfigOption

    func validate() throws {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must say why Gaffer is paused") }
    }

    func run() async throws {
        let (store, stop) = try await EmergencyStop.opened(config)
        defer { store.shutdown() }
        let who = by ?? ProcessInfo.processInfo.environment["USER"] ?? "the operator"
        let earlier = stop.current
        let pause = try await stop.pause(by: who, reason: reason, at: Date())
        if let earlier {
            print("Gaffer was already paused by \(earlier.by) at \(ISO8601DateFormatter().string(from: earlier.at)): \(earlier.reason)")
        } else {
            print("Gaffer is paused by \(pause.by): \(pause.reason). `gaffer resume` undoes it.")
        }
    }
}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Undo `gaffer pause`: jobs are claimed again.")

    @OptionGroup var config: ConfigOption

    func run() async throws {
        let (store, stop) = try await EmergencyStop.opened(config)
        defer { store.shutdown() }
        guard let pause = stop.current else {
            print("Gaffer is not paused.")
            return
        }
        try await stop.resume()
        print("Gaffer is resumed (it was paused by \(pause.by): \(pause.reason)).")
    }
}

extension EmergencyStop {
    /// The configured store and its emergency stop, as it is now.
    static func opened(_ config: ConfigOption) async throws -> (any GafferDatabase, EmergencyStop) {
        let configuration = try CommandSupport.loadConfiguration(config, needs: [.dataDirectory])
        let store = try await CommandSupport.openStore(configuration).store
        let stop = EmergencyStop(store: store)
        try await stop.refresh()
        return (store, stop)
    }
}
