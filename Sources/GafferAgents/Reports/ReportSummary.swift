import GafferCore

/// The one line that sums a report up, first in its comment and in the plan's notes.
public enum ReportSummary {
    static func dollars(_ amount: Double) -> String { "$" + String(format: "%.2f", amount) }

    public static func line(_ report: Report) -> String {
        let places =
            "\(report.accounts.count == 1 ? "account \(report.accounts[0])" : "\(report.accounts.count) accounts"), "
            + (report.regions.count == 1 ? report.regions[0] : "\(report.regions.count) regions")
        let gaps = report.gaps.isEmpty ? "" : "; \(report.gaps.count) part\(report.gaps.count == 1 ? "" : "s") could not be read"
        switch report.kind {
        case .securityAudit:
            let bySeverity = Finding.Severity.allCases.reversed().compactMap { severity -> String? in
                let count = report.findings.filter { $0.severity == severity }.count
                return count == 0 ? nil : "\(count) \(severity.rawValue)"
            }
            let total = report.findings.count
            return
                "\(total) finding\(total == 1 ? "" : "s")\(bySeverity.isEmpty ? "" : " (\(bySeverity.joined(separator: ", ")))") in \(places)\(gaps)."
        case .optimizeCosts:
            let saving = report.proposals.reduce(0) { $0 + $1.monthlySavingUSD }
            let spent =
                report.costs.map { "\(dollars($0.totalUSD)) over the last 30 days, \(dollars($0.forecastUSD)) forecast for this month; " } ?? ""
            let count = report.proposals.count
            return "\(spent)\(count) savings proposal\(count == 1 ? "" : "s") worth \(dollars(saving)) a month in \(places)\(gaps)."
        case .healthCheck:
            let counts = HealthVerdict.allCases.compactMap { verdict -> String? in
                let count = report.resources.filter { $0.health == verdict }.count
                return count == 0 ? nil : "\(count) \(verdict.rawValue.lowercased())"
            }
            return "\(report.resources.count) resources in \(places)\(counts.isEmpty ? "" : ": \(counts.joined(separator: ", "))")\(gaps)."
        default:
            let managed = report.resources.filter { $0.managed && !$0.gone }.count
            let gone = report.resources.filter(\.gone).count
            let seen = report.resources.count - gone
            return "\(seen) resources in \(places): \(managed) managed by Gaffer, \(seen - managed) unmanaged, \(gone) gone\(gaps)."
        }
    }
}
