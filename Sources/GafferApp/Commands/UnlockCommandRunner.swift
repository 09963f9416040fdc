import GafferCore

/// `/unlock [--stack NAME]`: releases this pull request's stack locks (maintain permission). Its plan
/// is discarded: applying without the lock is what the lock prevents.
struct UnlockCommandRunner: CommandRunner {
    let name = CommandName.unlock

    func run(_ context: CommandContext) async throws -> CommandOutcome {
        let actor = context.actor.login
        guard let pull = context.target.pullRequest else {
            return .refused(try context.github.comments.note(.noPullRequest(verb: "unlock"), actor: actor))
        }
        let store = context.work.store
        var held = try await store.locks(repository: context.target.fullName, pullRequest: pull.number)
        if let stack = context.command.flags["stack"] { held = held.filter { $0.key.name == stack } }
        guard !held.isEmpty else { return .answered(try context.github.comments.note(.nothingLocked, actor: actor)) }
        let released = try await store.releaseLocks(repository: context.target.fullName, pullRequest: pull.number, keys: held.map(\.key))
        if let plan = try await store.latestChangePlan(repository: context.target.fullName, pullRequest: pull.number) {
            try await ChangePlanner(work: context.work).discard(plan)
        }
        return .answered(try context.github.comments.note(.unlocked(released.map(\.key)), actor: actor))
    }
}
