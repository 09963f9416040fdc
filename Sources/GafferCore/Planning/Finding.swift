/// Something a reviewing agent found in what the plan wrote.
public struct Finding: Sendable, Hashable, Codable {
    public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case low, medium, high, critical

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
        }
    }

    public var severity: Severity
    /// A stable id such as `GAFFER-S3-PUBLIC`.
    public var rule: String
    /// The file in the plan's file set, and the 1-based line of the resource or property.
    public var file: String
    public var line: Int
    /// The template's logical id of the resource, when the finding is about one.
    public var resource: String?
    public var message: String
    /// What to change to clear it.
    public var fix: String
    /// True when the task asked for this on purpose (`blockPublicAccess: false`): it is kept, and needs approval.
    public var requested: Bool

    public init(
        severity: Severity,
        rule: String,
        file: String,
        line: Int,
        resource: String? = nil,
        message: String,
        fix: String,
        requested: Bool = false
    ) {
        self.severity = severity
        self.rule = rule
        self.file = file
        self.line = line
        self.resource = resource
        self.message = message
        self.fix = fix
        self.requested = requested
    }
}
