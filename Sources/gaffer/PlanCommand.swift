import ArgumentParser
import Foundation
import GafferAgents
import GafferCore

/// `gaffer plan`: what Gaffer's agents would write for an issue, offline.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Parse an issue, plan it and run the agents offline; print the plan. Exit 0 when it is ready (even if it needs approval), 1 when the issue has problems or a step failed, 2 for bad usage.")

    @Option(help: "The issue's title.")
    var title: String = ""

    @Option(name: .customLong("body-file"), help: "A file holding the issue's body; - reads standard input.")
    var bodyFile: String

    @Option(name: .customLong("label"), help: "A label on the issue (repeat for several).")
    var labels: [String] = []

    @Option(help: "The login of the person who opened the issue.")
    var author: String?

    @Option(help: "The issue's number.")
    var number: Int?

    @Option(help: "The repository the issue is in, as OWNER/NAME (it goes into the gaffer:issue tag).")
    var repository: String?

    @Option(name: .customLong("trigger-label"), help: "The label that addresses an issue to Gaffer.")
    var triggerLabel: String = "gaffer"

    @Option(name: .customLong("default-region"), help: "The region to use when the issue names none.")
    var defaultRegion: String?

    @Option(help: "Write the plan's files under this folder (nothing is written without it).")
    var out: String?

    @Option(name: .customLong("templates"), help: "Gaffer's templates folder (default: the one shipped with Gaffer).")
    var templatesDirectory: String?

    @Option(name: .customLong("cost-threshold"), help: "A monthly estimate above this many US dollars needs approval.")
    var costThreshold: Double = 100

    @Option(help: "A price table of your own, shaped like templates/cost/prices.json.")
    var prices: String?

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    func run() async throws {
        let body: String
        let templates: TemplateLibrary
        let priceTable: PriceTable
        do {
            body = try CommandSupport.readInput(bodyFile)
            templates = try templatesDirectory.map { try TemplateLibrary(directory: URL(fileURLWithPath: $0)) } ?? TemplateLibrary.shipped()
            priceTable = try prices.map { path in try PriceTable.load(CommandSupport.readInput(path).data(using: .utf8) ?? Data(), from: path) }
                ?? PriceTable.shipped(templates)
        } catch {
            FileHandle.standardError.write(Data("gaffer plan: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let parsed = IssueParser(options: .init(triggerLabel: triggerLabel, defaultRegion: defaultRegion))
            .parse(IssueInput(title: title, body: body, labels: labels, author: author, number: number))
        guard let task = parsed.task else {
            print(parsed.jsonText())
            throw ExitCode(1)
        }
        let coordinator = Coordinator(
            agents: try AgentRegistry(StandardAgents.all), templates: templates,
            settings: AgentSettings(costApprovalThresholdUSD: costThreshold, prices: priceTable), store: InMemoryPlanStore())
        let plan = try await coordinator.plan(task, repository: repository)
        if let out {
            try plan.files.apply(to: URL(fileURLWithPath: out))
        }
        print(json ? try PlanReport.json(plan, parsed: parsed) : PlanReport.text(plan, writtenTo: out))
        if plan.state != .ready { throw ExitCode(1) }
    }
}
