import GafferCore
import GafferGitHub
import GafferModels
import Logging

/// Puts a model's reading of a failure on a pull request (`agent_models: explain=…`), as a suggestion in a comment of
/// its own, once per failure. Never throws: what failed has already been reported, and nothing waits on this.
public struct FailureExplanations: Sendable {
    public let explainer: FailureExplainer
    static let key = "explanation"

    public init(explainer: FailureExplainer) {
        self.explainer = explainer
    }

    /// - Parameters:
    ///   - what: what failed, naming it uniquely (a commit, a plan): a failure already explained is not read again.
    ///   - output: what it printed, masked.
    public func explain(
        _ what: String,
        output: String,
        pullRequest: Int,
        issue: Int,
        purpose: String,
        in repository: RepositoryRef,
        github: GitHubConnection,
        logger: Logger
    ) async {
        do {
            if let earlier = try await github.readStatus(key: Self.key, issue: pullRequest, in: repository), earlier.body.contains(what) { return }
            let scope = ModelScope(purpose: purpose, repository: "\(repository.owner)/\(repository.name)", issue: issue)
            guard let explanation = try await explainer.explain(what, output: output, scope: scope) else { return }
            let body = try github.comments.failureExplained(
                what: what,
                model: "\(explainer.model.provider.name)/\(explainer.model.model)",
                cause: explanation.cause,
                suggestion: explanation.suggestion
            )
            try await github.writeStatus(body, key: Self.key, issue: pullRequest, in: repository)
        } catch {
            logger.notice("the failure was not explained", metadata: ["what": "\(what)", "error": "\(error)"])
        }
    }

    /// Says on the pull request's explanation, when it has one, that `what` (a later run) passed, so nobody acts
    /// on a suggestion about a failure that is gone. Costs no model call.
    public func markOutdated(
        by what: String,
        pullRequest: Int,
        in repository: RepositoryRef,
        github: GitHubConnection,
        logger: Logger
    ) async {
        do {
            let outdated = try github.comments.failureExplanationOutdated(what: what)
            guard let earlier = try await github.readStatus(key: Self.key, issue: pullRequest, in: repository),
                !earlier.body.contains("no longer applies")
            else { return }
            try await github.writeStatus(outdated, key: Self.key, issue: pullRequest, in: repository)
        } catch {
            logger.notice("the explanation was not marked outdated", metadata: ["what": "\(what)", "error": "\(error)"])
        }
    }
}
