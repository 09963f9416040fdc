import ArgumentParser
import Foundation
import GafferApp
import GafferCore
import GafferStore

/// `gaffer kb`: the knowledge base in the data directory: decisions, deployments, capability gaps, learnings.
struct KnowledgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kb",
        abstract: "Read Gaffer's knowledge base: decisions, deployments, capability gaps, learnings and agents' messages, newest first.",
        subcommands: [List.self, Search.self]
    )

    struct Options: ParsableArguments {
        @Option(help: "Only this kind: decision, deployment, gap, learning or message.")
        var kind: KnowledgeKind?

        @Option(help: "At most this many entries (1 to 10000).")
        var limit = 50

        @Flag(help: "Print a JSON array instead of lines.")
        var json = false

        @OptionGroup var config: ConfigOption

        func validate() throws {
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000") }
        }

        func print(matching text: String?) async throws {
            let configuration = try CommandSupport.loadConfiguration(config, needs: [.dataDirectory])
            let store = try await CommandSupport.openStore(configuration).store
            defer { store.shutdown() }
            let entries = try await store.knowledge(kind: kind, matching: text, limit: limit)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .iso8601
                Swift.print(String(decoding: try encoder.encode(entries), as: UTF8.self))
                return
            }
            let format = ISO8601DateFormatter()
            for entry in entries {
                Swift.print("\(format.string(from: entry.at))  \(entry.kind.rawValue)  \(entry.repository)\(entry.reference)  \(entry.summary)")
            }
            if entries.isEmpty { Swift.print(text.map { "nothing in the knowledge base mentions \"\($0)\"" } ?? "the knowledge base is empty") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List entries, newest first.")
        @OptionGroup var options: Options
        func run() async throws { try await options.print(matching: nil) }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Entries whose text contains TEXT (any case), newest first.")
        @Argument(help: "What to look for: a stack, a person, an error code, a repository...")
        var text: String
        @OptionGroup var options: Options
        func run() async throws { try await options.print(matching: text) }
    }
}

extension KnowledgeKind: ExpressibleByArgument {}
