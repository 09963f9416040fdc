import Foundation
import GafferCore

/// Estimated spend of what Gaffer made, from each resource's cost a day in the registry: a resource
/// costs from its stack's first successful apply (or when it was registered) until it was seen gone.
struct CostBook: Sendable {
    let resources: [RegisteredResource]
    /// When each stack was first applied.
    let firstApplied: [StackKey: Date]

    init(resources: [RegisteredResource], deployments: [Deployment]) {
        self.resources = resources.filter { ($0.costPerDayUSD ?? 0) > 0 }
        var first: [StackKey: Date] = [:]
        for deployment in deployments where deployment.succeeded {
            first[deployment.stack] = min(first[deployment.stack] ?? deployment.endedAt, deployment.endedAt)
        }
        firstApplied = first
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar
    }()

    struct Day: Sendable {
        var label: String
        var usd: Double
    }

    /// Each day of `now`'s month (UTC) so far: what the resources alive at its end cost.
    func daily(now: Date) -> [Day] {
        let calendar = Self.calendar
        guard let month = calendar.dateInterval(of: .month, for: now) else { return [] }
        var days: [Day] = []
        var start = month.start
        while start <= now {
            let end = calendar.date(byAdding: .day, value: 1, to: start) ?? now
            let usd = resources.reduce(0.0) { sum, resource in
                let from = firstApplied[resource.stack] ?? resource.updatedAt
                let alive = from < end && (resource.goneSince.map { $0 > start } ?? true)
                return alive ? sum + (resource.costPerDayUSD ?? 0) : sum
            }
            days.append(Day(label: String(calendar.component(.day, from: start)), usd: usd))
            start = end
        }
        return days
    }

    func monthToDate(now: Date) -> Double { daily(now: now).reduce(0) { $0 + $1.usd } }

    struct TaskCost: Sendable {
        var repository: String
        var issue: Int
        var resources: Int
        var daily: Double
    }

    /// What each task's live resources cost a day, the dearest first.
    func perTask() -> [TaskCost] {
        var byTask: [String: TaskCost] = [:]
        for resource in resources where resource.goneSince == nil {
            let key = "\(resource.repository)#\(resource.issue)"
            byTask[key, default: TaskCost(repository: resource.repository, issue: resource.issue, resources: 0, daily: 0)].resources += 1
            byTask[key]?.daily += resource.costPerDayUSD ?? 0
        }
        return byTask.values.sorted { $0.daily != $1.daily ? $0.daily > $1.daily : ($0.repository, $0.issue) < ($1.repository, $1.issue) }
    }
}
