import ArgumentParser
import Foundation
import GafferAgents
import GafferApp
import GafferCore
import GafferMessages
import GafferStore
import Logging

/// `gaffer report`: a read-only report from the command line, the same one an issue gets.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Read AWS (read-only) and print a discover, health or security report, as an issue would get it. Exit 0 with the report, 1 when it could not be made, 2 for bad usage."
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case discover, health, security, cost

        var task: TaskKind {
            switch self {
            case .discover: .discover
            case .health: .healthCheck
            case .security: .securityAudit
            case .cost: .optimizeCosts
            }
        }
    }

    @Argument(help: "discover, health, security or cost.")
    var kind: Kind

    @Option(help: "The 12-digit account (default: the one Gaffer's credentials belong to).")
    var account: String?

    @Option(help: "A region, or `all` for every region the account has enabled (the default).")
    var region: String?

    @Option(help: "Only this kind of resource, as an issue names it (`S3 bucket`, `lambda`).")
    var resource: String?

    @Flag(help: "Print the report as one JSON object instead of the comment.")
    var json = false

    @OptionGroup var config: ConfigOption

    func run() async throws {
        let configuration = try CommandSupport.loadConfiguration(config, needs: [.dataDirectory])
        let task: AwsTask
        let work: ReportWork
        let store: any GafferDatabase
        do {
            task = try makeTask()
            store = try await configuration.openStore(logger: Logger(label: "gaffer.store")).store
            work = try configuration.makeReportWork(store: store)
        } catch {
            FileHandle.standardError.write(Data("gaffer report: \(error)\n".utf8))
            throw ExitCode(2)
        }
        defer { store.shutdown() }
        switch try await work.run(task) {
        case .report(let report, let summary, let id):
            if json {
                print(String(decoding: try report.jsonData(), as: UTF8.self))
            } else {
                let comments = GafferComments(templates: try CommentTemplates.shipped(overrides: configuration.commentTemplatesDirectory))
                let files = GafferComments.ReportFiles(json: work.file(id, "json").path, csv: work.file(id, "csv").path, api: nil)
                print(try comments.report(report, summary: summary, files: files, onIssue: false))
            }
        case .failed(let plan):
            let reasons = plan.failureReasons.isEmpty ? ["the plan ended \(plan.state.rawValue)"] : plan.failureReasons
            FileHandle.standardError.write(Data("gaffer report: \(reasons.joined(separator: "; "))\n".utf8))
            throw ExitCode(1)
        }
    }

    /// The task an issue asking for this report would parse to, checked by the same rules.
    func makeTask() throws -> AwsTask {
        var body = "kind: \(kind.task.rawValue)\n"
        if let account { body += "account: \(account)\n" }
        if let region { body += "region: \(region)\n" }
        if let resource { body += "resource: \(resource)\n" }
        let parsed = IssueParser().parse(IssueInput(title: "", body: body, labels: ["gaffer"], author: nil, number: 0))
        guard let task = parsed.task else {
            throw ValidationError(parsed.problems.map { "--\($0.field): \($0.rule)" }.joined(separator: "; "))
        }
        return task
    }
}
