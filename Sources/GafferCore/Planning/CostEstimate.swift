/// A monthly cost estimate, per resource and in total, with the assumptions it rests on.
public struct CostEstimate: Sendable, Hashable, Codable {
    public struct Line: Sendable, Hashable, Codable {
        /// The template's logical id, or a description when the line is not one resource.
        public var resource: String
        public var type: String
        public var monthlyUSD: Double
        /// How the figure was reached ("730 h × $0.0104 (t3.micro) × 1.00 region factor").
        public var basis: String

        public init(resource: String, type: String, monthlyUSD: Double, basis: String) {
            self.resource = resource
            self.type = type
            self.monthlyUSD = monthlyUSD
            self.basis = basis
        }
    }

    public var lines: [Line]
    public var region: String
    /// Where the prices come from and when they were read.
    public var source: String
    /// True for a delete: the lines are what stops being spent.
    public var isSaving: Bool

    public init(lines: [Line], region: String, source: String, isSaving: Bool = false) {
        self.lines = lines
        self.region = region
        self.source = source
        self.isSaving = isSaving
    }

    public var monthlyUSD: Double { lines.reduce(0) { $0 + $1.monthlyUSD } }
}
