import GafferCore
import GafferGitHub
import Logging

/// When Gaffer is installed (or its new permissions are accepted): each
/// repository it can now see gets the trigger label. GitHub adds an issue
/// form's labels only when the repository has them, so without it the forms
/// Gaffer ships would open issues Gaffer never reads.
public struct InstallationHandler: WebhookEventHandler {
    public let name = "installation"
    public let subscriptions = [EventSubscription("installation", actions: ["created", "unsuspend", "new_permissions_accepted"])]
    public let github: GitHubConnection
    public let triggerLabel: String

    public init(github: GitHubConnection, triggerLabel: String) {
        self.github = github
        self.triggerLabel = triggerLabel
    }

    public func handle(_ event: WebhookEvent, context: EventContext) async throws {
        guard case .installation(let installed) = event else { return }
        let client = try await github.gitHub()
        var made: [String] = []
        for repository in installed.repositories ?? [] {
            guard let ref = RepositoryRef(fullName: repository.fullName, installation: installed.installation.id) else { continue }
            if try await client.createLabel(
                triggerLabel,
                color: "1d76db",
                description: "Work for Gaffer: it reads issues with this label",
                in: ref
            ) {
                made.append(repository.fullName)
            }
        }
        context.logger.notice(
            "installed",
            metadata: [
                "account": "\(installed.installation.account.login)", "installation": "\(installed.installation.id)",
                "repositories": "\((installed.repositories ?? []).map(\.fullName))", "label_made_in": "\(made)",
            ]
        )
    }
}
