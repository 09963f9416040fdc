import ArgumentParser
import Foundation
import GafferAgents
import GafferApp
import GafferCore
import GafferStore
import Logging

/// `gaffer plan`: what Gaffer's agents would write for an issue, offline.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract:
            "Parse an issue, plan it and run the agents offline; print the plan. Exit 0 when it is ready (even if it needs approval), 1 when the issue has problems or a step failed, 2 for bad usage."
    )

    @OptionGroup var issue: IssueOptions

    @Option(help: "The repository the issue is in, as OWNER/NAME (it goes into the gaffer:issue tag).")
    var repository: String?

    @Option(help: "Write the plan's files under this folder (nothing is written without it).")
    var out: String?

    @Option(name: .customLong("templates"), help: "Gaffer's templates folder (default: the one shipped with Gaffer).")
    var templatesDirectory: String?

    @OptionGroup var config: ConfigOption

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    func run() async throws {
        // The plan's limits, the cost threshold and the price table come from gaffer.yml and GAFFER_*.
        let configuration = try CommandSupport.loadConfiguration(config, needs: [])
        let parsed: IssueParseResult
        let coordinator: Coordinator
        do {
            parsed = try issue.parse()
            coordinator = try configuration.makeCoordinator(
                store: InMemoryPlanStore(),
                templates: templatesDirectory.map { URL(fileURLWithPath: $0) }
            )
        } catch {
            FileHandle.standardError.write(Data("gaffer plan: \(error)\n".utf8))
            throw ExitCode(2)
        }
        guard let task = parsed.task else {
            print(parsed.jsonText())
            throw ExitCode(1)
        }
        var planner = coordinator
        // With a model for the deployment agent, code the issue asks for is written here too, its spend counted
        // in the store of data_dir (or database_url) against the same budget as the server's.
        var store: (any GafferDatabase)?
        if configuration.models.agentModels[.deployment] != nil {
            let opened = try await CommandSupport.openStore(configuration).store
            store = opened
            planner.coder = configuration.makeApplicationCoder(spend: opened, clock: SystemWallClock(), logger: Logger(label: "gaffer.plan"))
        }
        defer { store?.shutdown() }
        let plan = try await planner.plan(task, repository: repository)
        if let out {
            // A step stopped at a cap leaves its work to read, as it would on the branch.
            try (plan.unfinishedStep == nil ? plan.files : plan.filesSoFar).apply(to: URL(fileURLWithPath: out))
        }
        print(json ? try PlanReport.json(plan, parsed: parsed) : PlanReport.text(plan, writtenTo: out))
        if plan.state != .ready { throw ExitCode(1) }
    }
}

extension FileSet {
    /// Writes the set under `folder`: each write creates its file (and folders), each delete removes its path.
    public func apply(to folder: URL) throws {
        let manager = FileManager.default
        for change in changes {
            guard !change.path.split(separator: "/").contains("..") else {
                throw ValidationError("refusing to write \(change.path): it leaves the folder")
            }
            let url = folder.appendingPathComponent(change.path)
            switch change {
            case .write(_, let contents, let executable):
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try contents.write(to: url)
                if executable { try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
            case .delete:
                if manager.fileExists(atPath: url.path) { try manager.removeItem(at: url) }
            }
        }
    }
}
