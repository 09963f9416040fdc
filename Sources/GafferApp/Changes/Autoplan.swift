import GafferCore
import GafferGitHub
import Logging

/// Plans a pull request by itself once its pipeline passed (`autoplan`), as `/plan` from Gaffer would:
/// the plan comment, or the reason there is none, is written on the pull request.
struct Autoplan: Sendable {
    let work: ChangeWork
    let github: GitHubConnection

    func plan(branch: String, sha: String, issue: Int, repository: RepositoryRef, gitHubRepository: GitHubRepository, logger: Logger) async throws {
        let client = try await github.gitHub()
        guard let pull = try await client.pullRequests(head: branch, in: repository).first(where: { $0.state == "open" }), pull.head.sha == sha
        else { return }
        try await work.workspaces.exclusively("\(gitHubRepository.fullName)#\(issue)") {
            guard
                let target = try await TaskTarget.resolve(
                    number: pull.number,
                    isPullRequest: true,
                    repository: repository,
                    gitHubRepository: gitHubRepository,
                    client: client,
                    parser: work.parser
                )
            else { return }
            guard try await work.settings(for: target, client: client).0.autoplan else { return }
            let bot = try await github.login()
            let outcome: ChangePlanner.Outcome
            do {
                outcome = try await ChangePlanner(work: work).plan(target, requestedBy: bot, client: client)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                // The pipeline's run is reported and will not run again for this commit: say why there is
                // no plan where people look, rather than fail a job whose retry would not plan.
                logger.warning("autoplan failed", metadata: ["error": "\(error)"])
                outcome = .failed("\(error)")
            }
            switch outcome {
            case .planned(let plan, _):
                // Written again when it was found made: an identical comment is not written twice.
                try await ChangeComments.publishPlan(plan, work: work, github: github, repository: repository)
                logger.info("autoplan", metadata: ["plan": "\(plan.id)", "changes": "\(plan.hasChanges)"])
            case .nothing:
                return
            case .locked, .failed, .protected:
                // Where the plan would be: the reason there is none.
                guard let body = try ChangeComments.refusal(outcome, actor: bot, comments: github.comments) else { return }
                try await github.writeStatus(body, key: "plan", issue: pull.number, in: repository)
            }
        }
    }
}
