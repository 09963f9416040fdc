import Foundation

/// GitHub's repository permission levels, weakest first.
public enum Permission: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case none, read, triage, write, maintain, admin

    public static func < (a: Permission, b: Permission) -> Bool {
        allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
    }
}

/// Who may run each command. Decided from facts passed in; fetching a user's
/// permission from GitHub is the caller's work.
public struct AuthorizationPolicy: Sendable, Hashable {
    /// The least permission each command needs.
    public var required: [CommandName: Permission]
    /// When a command has an allowlist, the actor must also be on it, by login or by team.
    public var allowedUsers: [CommandName: Set<String>]
    public var allowedTeams: [CommandName: Set<String>]
    /// Whether a task's requester may approve their own task. Off by default: destructive
    /// work needs a second person.
    public var requesterMayApprove: Bool

    public static let defaultRequired: [CommandName: Permission] = [
        .help: .read, .status: .read,
        .plan: .triage,
        .apply: .write, .approve: .write, .deny: .write, .retry: .write, .cancel: .write,
        .unlock: .maintain, .destroy: .maintain,
    ]

    public init(
        required: [CommandName: Permission] = AuthorizationPolicy.defaultRequired,
        allowedUsers: [CommandName: Set<String>] = [:],
        allowedTeams: [CommandName: Set<String>] = [:],
        requesterMayApprove: Bool = false
    ) {
        self.required = required
        self.allowedUsers = allowedUsers.mapValues { Set($0.map { $0.lowercased() }) }
        self.allowedTeams = allowedTeams.mapValues { Set($0.map { $0.lowercased() }) }
        self.requesterMayApprove = requesterMayApprove
    }

    /// What Gaffer knows about the person who wrote the command.
    public struct Actor: Sendable, Hashable {
        public var login: String
        public var permission: Permission
        /// Teams as `org/team-slug`.
        public var teams: Set<String>

        public init(login: String, permission: Permission, teams: Set<String> = []) {
            self.login = login
            self.permission = permission
            self.teams = teams
        }
    }

    public enum Decision: Sendable, Hashable {
        case allowed
        case denied(reason: String)
    }

    public func decide(_ command: CommandName, actor: Actor, requester: String?) -> Decision {
        let needed = required[command] ?? .admin
        if actor.permission < needed {
            return .denied(
                reason:
                    "/\(command.rawValue) needs \(needed.rawValue) permission on this repository; @\(actor.login) has \(actor.permission.rawValue)"
            )
        }
        let users = allowedUsers[command]
        let teams = allowedTeams[command]
        if users != nil || teams != nil {
            let byLogin = users?.contains(actor.login.lowercased()) ?? false
            let byTeam = !(teams ?? []).isDisjoint(with: actor.teams.map { $0.lowercased() })
            if !byLogin && !byTeam {
                return .denied(
                    reason:
                        "/\(command.rawValue) is limited to \(AuthorizationPolicy.describe(users: users, teams: teams)); @\(actor.login) is not among them"
                )
            }
        }
        if command == .approve, !requesterMayApprove, let requester, requester.caseInsensitiveCompare(actor.login) == .orderedSame {
            return .denied(
                reason: "@\(actor.login) asked for this task and cannot approve it; another person with \(needed.rawValue) permission must"
            )
        }
        return .allowed
    }

    static func describe(users: Set<String>?, teams: Set<String>?) -> String {
        let names = (users ?? []).sorted().map { "@\($0)" } + (teams ?? []).sorted().map { "@\($0)" }
        return names.isEmpty ? "nobody (an empty allowlist)" : names.joined(separator: ", ")
    }
}
