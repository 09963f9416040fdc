/// What the account spent, from Cost Explorer: the last 30 days by service and by the issue that
/// made the resources, and where the month is heading.
public struct CostSummary: Sendable, Hashable, Codable {
    /// One line of a breakdown.
    public struct Line: Sendable, Hashable, Codable {
        public var name: String
        public var usd: Double

        public init(name: String, usd: Double) {
            self.name = name
            self.usd = usd
        }
    }

    /// The period read, `YYYY-MM-DD`, the end exclusive.
    public var start: String
    public var end: String
    public var totalUSD: Double
    /// Largest first.
    public var byService: [Line]
    /// By the `gaffer:issue` tag's value (`#7`), and `untagged` for the rest; largest first.
    public var byIssue: [Line]
    public var monthToDateUSD: Double
    /// The month's likely total: what is spent so far, plus the last seven days' daily average for each day left.
    public var forecastUSD: Double
    /// Said beside the forecast: how it was made.
    public var forecastBasis: String

    public init(
        start: String,
        end: String,
        totalUSD: Double,
        byService: [Line],
        byIssue: [Line],
        monthToDateUSD: Double,
        forecastUSD: Double,
        forecastBasis: String
    ) {
        self.start = start
        self.end = end
        self.totalUSD = totalUSD
        self.byService = byService
        self.byIssue = byIssue
        self.monthToDateUSD = monthToDateUSD
        self.forecastUSD = forecastUSD
        self.forecastBasis = forecastBasis
    }
}

/// A way to spend less that a cost report found. It is only a proposal: nothing acts on it by itself,
/// only a person's `/approve` of its id on the report's issue.
public struct SavingsProposal: Sendable, Hashable, Codable {
    /// `P1`, `P2`...: its place in the report, largest saving first; what `/approve` names.
    public var id: String?
    /// A stable id such as `EC2-IDLE`.
    public var rule: String
    /// The resource's ARN.
    public var resource: String
    public var region: String
    public var account: String
    /// What to do: "stop or downsize", "delete", "release".
    public var action: String
    /// What the proposal rests on ("CPU under 5% every day for 14 days").
    public var evidence: String
    public var monthlySavingUSD: Double
    public var managed: Bool
    /// The task parameters that carry it out, for a kind of resource Gaffer makes: an approval of a
    /// managed resource's proposal updates the task that made it with these.
    public var taskChange: [String: ParameterValue]?

    public init(
        rule: String,
        resource: String,
        region: String,
        account: String,
        action: String,
        evidence: String,
        monthlySavingUSD: Double,
        managed: Bool = false
    ) {
        self.rule = rule
        self.resource = resource
        self.region = region
        self.account = account
        self.action = action
        self.evidence = evidence
        self.monthlySavingUSD = monthlySavingUSD
        self.managed = managed
    }
}
