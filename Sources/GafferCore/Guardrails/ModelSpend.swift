import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One call to a model, as the knowledge base keeps it: what it cost, how long it took, and for which task and step.
public struct ModelCall: Sendable, Hashable, Codable {
    public var at: Date
    public var repository: String
    public var issue: Int
    /// What the call was for: `intake`, `deployment`, `follow-up`, `explain`.
    public var purpose: String
    /// The plan step, when the call was made for one.
    public var step: String?
    public var provider: String
    public var model: String
    public var inputTokens: Int
    public var outputTokens: Int
    public var cacheWriteTokens: Int
    public var cacheReadTokens: Int
    public var usd: Double
    public var latencyMilliseconds: Double
    /// Why the call failed; nil when it answered.
    public var error: String?

    public init(
        at: Date,
        repository: String,
        issue: Int,
        purpose: String,
        step: String? = nil,
        provider: String,
        model: String,
        inputTokens: Int = 0,
        outputTokens: Int = 0,
        cacheWriteTokens: Int = 0,
        cacheReadTokens: Int = 0,
        usd: Double = 0,
        latencyMilliseconds: Double = 0,
        error: String? = nil
    ) {
        self.at = at
        self.repository = repository
        self.issue = issue
        self.purpose = purpose
        self.step = step
        self.provider = provider
        self.model = model
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.cacheReadTokens = cacheReadTokens
        self.usd = usd
        self.latencyMilliseconds = latencyMilliseconds
        self.error = error
    }
}

/// What model calls have cost: for one task, and since the start of the day and of the month (UTC).
public struct ModelSpendTotals: Sendable, Hashable {
    public var task: Double
    public var day: Double
    public var month: Double

    public init(task: Double = 0, day: Double = 0, month: Double = 0) {
        self.task = task
        self.day = day
        self.month = month
    }
}

/// Where model calls are recorded and summed.
public protocol ModelSpendStore: Sendable {
    /// Before a call: adds `usd`, the most it could cost, to the totals of the task and of the UTC day and month of `at`,
    /// in one transaction, unless that would take one past its cap in `budget`; then it throws `ModelBudgetExceeded`
    /// and adds nothing. Calls made at once, by any process, cannot together pass a cap.
    func reserveModelSpend(repository: String, issue: Int, at: Date, usd: Double, budget: ModelBudget) async throws
    /// After a call: records it, and puts what it cost in the totals in place of the `reserved` amount.
    func recordModelCall(_ call: ModelCall, reserved: Double) async throws
    /// The spend of the task `repository#issue`, and of every call in the UTC day and month of `at`.
    func modelSpend(repository: String, issue: Int, at: Date) async throws -> ModelSpendTotals
    /// The task's calls, oldest first.
    func modelCalls(repository: String, issue: Int) async throws -> [ModelCall]
}

/// The hard caps on model spend (`model_budget_task_usd`, `model_budget_daily_usd`, `model_budget_monthly_usd`):
/// a call that could take the spend past one is not made.
public struct ModelBudget: Sendable, Hashable {
    public var taskUSD: Double
    public var dailyUSD: Double
    public var monthlyUSD: Double

    public init(taskUSD: Double = 2, dailyUSD: Double = 20, monthlyUSD: Double = 200) {
        self.taskUSD = taskUSD
        self.dailyUSD = dailyUSD
        self.monthlyUSD = monthlyUSD
    }

    /// Why a call that may cost up to `worstCase` must not be made, or nil when every cap has room for it.
    public func refusal(spent: ModelSpendTotals, worstCase: Double) -> ModelBudgetExceeded? {
        let caps: [(String, String, Double, Double)] = [
            ("task", "model_budget_task_usd", taskUSD, spent.task),
            ("day", "model_budget_daily_usd", dailyUSD, spent.day),
            ("month", "model_budget_monthly_usd", monthlyUSD, spent.month),
        ]
        for (scope, key, cap, used) in caps where used + worstCase > cap {
            return ModelBudgetExceeded(scope: scope, key: key, cap: cap, spent: used, needed: worstCase)
        }
        return nil
    }

    /// The keys of the running totals a call at `date` for `repository#issue` adds to: the task's, its UTC day's and
    /// its UTC month's. Stores keep one row per key, so the budget reads three rows however many calls were made.
    public static func totalKeys(repository: String, issue: Int, at date: Date) -> (task: String, day: String, month: String) {
        // gmtime, not a calendar and a date formatter: this runs twice on every call, and those cost tens of microseconds to make.
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let month = String(format: "%04d-%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1)
        return ("task:\(repository.lowercased())#\(issue)", "day:\(month)-\(String(format: "%02d", Int(parts.tm_mday)))", "month:\(month)")
    }

    /// The start of the UTC day and month of `date`.
    public static func periods(of date: Date) -> (day: Date, month: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let day = calendar.startOfDay(for: date)
        let month = calendar.date(from: calendar.dateComponents([.year, .month], from: date)) ?? day
        return (day, month)
    }
}

/// A model call refused because it could take the spend past a cap.
public struct ModelBudgetExceeded: Error, Sendable, Hashable, CustomStringConvertible {
    /// `task`, `day` or `month`.
    public var scope: String
    /// The setting that raises the cap.
    public var key: String
    public var cap: Double
    public var spent: Double
    /// What the call could cost at most.
    public var needed: Double

    public var description: String {
        let money = { (usd: Double) in String(format: "$%.4f", usd) }
        let period = scope == "task" ? "this task" : "this \(scope) (UTC)"
        return "the model budget for \(period) is \(money(cap)) and \(money(spent)) is spent; the next call could cost up to "
            + "\(money(needed)), so it was not made. Raise \(key) and run /retry to go on"
    }
}
