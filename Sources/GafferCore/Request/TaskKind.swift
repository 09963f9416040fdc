/// What a task asks Gaffer to do.
public enum TaskKind: String, Sendable, Hashable, Codable, CaseIterable {
    case create
    case update
    case delete
    case discover
    case optimizeCosts
    case securityAudit
    case healthCheck

    /// The words people use for each kind, beyond its own name.
    static let synonyms: [String: TaskKind] = [
        "add": .create, "new": .create, "provision": .create, "deploy": .create, "make": .create, "setup": .create,
        "get": .create, "need": .create, "want": .create, "spinup": .create, "launch": .create, "standup": .create,
        "change": .update, "modify": .update, "resize": .update, "edit": .update, "configure": .update,
        "remove": .delete, "destroy": .delete, "teardown": .delete, "decommission": .delete,
        "list": .discover, "inventory": .discover, "find": .discover,
        "costs": .optimizeCosts, "costreport": .optimizeCosts, "optimisecosts": .optimizeCosts, "reducecosts": .optimizeCosts,
        "audit": .securityAudit, "security": .securityAudit,
        "health": .healthCheck, "checkhealth": .healthCheck,
    ]

    /// Reads a task kind as a person or a form wrote it ("Health check", "task:delete", "remove").
    public init?(spoken text: String) {
        guard let kind = TaskKind.byName[FieldName.normalize(text)] else { return nil }
        self = kind
    }

    private static let byName = Dictionary(
        allCases.map { (FieldName.normalize($0.rawValue), $0) } + synonyms.map { ($0.key, $0.value) },
        uniquingKeysWith: { first, _ in first }
    )

    /// The words a form shows for this kind.
    public var displayName: String {
        switch self {
        case .create: "Create"
        case .update: "Update"
        case .delete: "Delete"
        case .discover: "Discover"
        case .optimizeCosts: "Optimize costs"
        case .securityAudit: "Security audit"
        case .healthCheck: "Health check"
        }
    }

    /// Kinds that only read and report; they change nothing in AWS.
    public var isReport: Bool {
        switch self {
        case .discover, .optimizeCosts, .securityAudit, .healthCheck: true
        case .create, .update, .delete: false
        }
    }
}
