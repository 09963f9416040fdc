import Foundation
import GafferAgents
import GafferCore
import GafferGit

extension GafferConfiguration {
    /// The coordinator these settings make: the standard agents, the shipped templates (or
    /// `templates`), the configured prices and threshold, and the plan limits.
    public func makeCoordinator(store: any PlanStore, templates directory: URL? = nil) throws -> Coordinator {
        let templates = try directory.map { try TemplateLibrary(directory: $0) } ?? TemplateLibrary.shipped()
        let prices =
            try costPricesFile.map { path in
                try PriceTable.load(try Data(contentsOf: URL(fileURLWithPath: path)), from: path)
            } ?? PriceTable.shipped(templates)
        return Coordinator(
            agents: try AgentRegistry(StandardAgents.all),
            templates: templates,
            settings: AgentSettings(costApprovalThresholdUSD: costApprovalThresholdUSD, prices: prices),
            limits: planLimits,
            store: store
        )
    }

    /// What publishes tasks as pull requests with these settings: the coordinator and Gaffer's git workspaces.
    public func makeTaskPublisher(store: any PlanStore) throws -> TaskPublisher {
        TaskPublisher(
            coordinator: try makeCoordinator(store: store),
            workspaces: try GitWorkspaces(root: gitCacheRoot.path, settings: try gitSettings())
        )
    }
}
