/// The slash-commands Gaffer answers, each with its flags and help text.
public enum CommandName: String, Sendable, Hashable, Codable, CaseIterable {
    case plan, apply, approve, deny, retry, cancel, status, help, unlock, destroy

    /// Flags that take a value (`--stack logs`); any other `--flag` is refused with the list of these.
    public var valueFlags: [String] {
        switch self {
        case .plan, .apply, .unlock, .destroy: ["stack"]
        case .retry: ["step"]
        case .approve, .deny, .cancel, .status, .help: []
        }
    }

    /// Flags that stand alone (`--force`).
    public var switchFlags: [String] {
        switch self {
        case .destroy: ["force"]
        default: []
        }
    }

    public var usage: String {
        switch self {
        case .plan: "/plan [--stack NAME]: preview the change (a CloudFormation change set)"
        case .apply: "/apply [--stack NAME]: carry out the planned change once it is approved"
        case .approve:
            "/approve [reason]: approve the pending change (not by its requester); on a cost report, `/approve P2` acts on that savings proposal"
        case .deny: "/deny [reason]: refuse the pending change"
        case .retry: "/retry [--step agents|pipeline|plan|apply]: run a step again (by default, what failed last)"
        case .cancel: "/cancel [reason]: stop the task's pending work"
        case .status: "/status: show where the task is"
        case .help: "/help [command]: list the commands"
        case .unlock: "/unlock [--stack NAME]: release a stack lock this task holds"
        case .destroy: "/destroy [--stack NAME] [--force]: delete what the task created (needs an approval)"
        }
    }
}
