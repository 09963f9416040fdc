import Foundation
import GafferCore

/// What the dashboard reads from: its own queries, plans, change plans and the knowledge base.
public typealias DashboardData = ChangeStore & DashboardReading & KnowledgeStore & PlanStore

/// Each page's values, read from the store and put in words for the templates.
struct DashboardPages: Sendable {
    let data: any DashboardData
    let configuration: GafferConfiguration
    let clock: any WallClock
    /// Where people read issues and pull requests (`https://github.com`), for links.
    let webURL: URL
    static let perPage = 50
    static let decisionsPerPage = 20

    static let nav: [(href: String, label: String)] = [
        ("/dashboard", "Overview"), ("/dashboard/decisions", "Decisions"), ("/dashboard/tasks", "Tasks"), ("/dashboard/agents", "Agents"),
        ("/dashboard/resources", "Resources"), ("/dashboard/knowledge", "Knowledge"), ("/dashboard/costs", "Costs"),
        ("/dashboard/settings", "Settings"),
    ]

    // MARK: - Words

    static let stamp: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter
    }()

    static func when(_ date: Date?) -> String { date.map { stamp.string(from: $0) } ?? "" }

    static func duration(_ seconds: TimeInterval?) -> String {
        guard let seconds, seconds >= 0 else { return "" }
        if seconds < 1 { return String(format: "%.0f ms", seconds * 1000) }
        if seconds < 90 { return String(format: "%.0f s", seconds) }
        if seconds < 5400 { return String(format: "%.0f min", seconds / 60) }
        if seconds < 172_800 { return String(format: "%.0f h", seconds / 3600) }
        return String(format: "%.0f days", seconds / 86400)
    }

    static func money(_ usd: Double) -> String { String(format: "%.2f", usd) }

    func link(_ repository: String?, _ kind: String, _ number: Int?) -> String? {
        guard let repository, let number else { return nil }
        let base = webURL.absoluteString.hasSuffix("/") ? String(webURL.absoluteString.dropLast()) : webURL.absoluteString
        return "\(base)/\(repository)/\(kind)/\(number)"
    }

    // MARK: - Pages

    func overview() async throws -> [String: Any] {
        let now = clock.now()
        let counts = try await data.taskCounts()
        let waiting = try await data.waitingChangePlans(page: 1, perPage: 1)
        let running = try await data.runningSteps(limit: 20)
        let deployments = try await data.recentDeployments(limit: 10)
        let resources = try await data.registeredResources()
        let live = resources.filter { $0.goneSince == nil }
        var health: [String: Int] = [:]
        for resource in live { health[resource.health, default: 0] += 1 }
        let monthSpend = CostBook(resources: resources, deployments: []).monthToDate(now: now)
        var context: [String: Any] = [
            "taskStates": [Plan.State.running, .ready, .failed, .stopped].map { ["state": $0.rawValue, "count": counts[$0] ?? 0] },
            "noTasks": counts.values.reduce(0, +) == 0,
            "waitingCount": waiting.total,
            "nothingWaits": waiting.total == 0,
            "running": running.map { step in
                [
                    "agent": step.agent.rawValue, "step": step.stepID, "planID": step.planID,
                    "task": "\(step.repository ?? "")#\(step.issue.map(String.init) ?? "")",
                    "since": Self.duration(step.startedAt.map { now.timeIntervalSince($0) }),
                ]
            },
            "health": health.sorted { $0.key < $1.key }.map { ["name": $0.key, "count": $0.value] },
            "deployments": deployments.map { deployment in
                [
                    "stack": deployment.stack.name, "repository": deployment.repository, "issue": deployment.issue, "status": deployment.status,
                    "succeeded": deployment.succeeded, "by": deployment.by, "ended": Self.when(deployment.endedAt),
                ] as [String: Any]
            },
            "monthSpend": Self.money(monthSpend),
        ]
        if let budget = configuration.changes.budgets.monthlyUSD {
            context["monthlyBudget"] = Self.money(budget)
            context["budgetShare"] = budget > 0 ? String(format: "%.0f", min(100, monthSpend / budget * 100)) : "100"
        }
        if let oldest = waiting.items.first {
            context["oldestWaiting"] = [
                "repository": oldest.repository, "pullRequest": oldest.pullRequest, "waited": Self.duration(now.timeIntervalSince(oldest.createdAt)),
            ]
        }
        return context
    }

    func decisions(page: Int) async throws -> [String: Any] {
        let now = clock.now()
        // Each decision carries its task's findings and estimate: fewer to a page than a list of tasks.
        let waiting = try await data.waitingChangePlans(page: page, perPage: Self.decisionsPerPage)
        var plans: [[String: Any]] = []
        for plan in waiting.items {
            let task = try await data.latestPlan(repository: plan.repository, issue: plan.issue)
            var item: [String: Any] = [
                "id": plan.id, "repository": plan.repository, "pullRequest": plan.pullRequest,
                "pullURL": link(plan.repository, "pull", plan.pullRequest) ?? "",
                "task": task.map { TaskSummary(plan: $0).title } ?? "issue #\(plan.issue)", "requester": plan.requester,
                "requestedBy": plan.requestedBy, "head": String(plan.headSHA.prefix(12)),
                "waited": Self.duration(now.timeIntervalSince(plan.createdAt)),
                "destructive": !plan.destructiveReasons.isEmpty,
                "reasons": plan.destructiveReasons + plan.approvalReasons,
                "changes": plan.stacks.flatMap { stack in
                    (stack.changes.isEmpty && plan.operation == .delete
                        ? [ResourceChange(action: "Delete stack", logicalID: stack.key.name, resourceType: "")] : stack.changes)
                        .map { change in
                            [
                                "stack": stack.key.name, "action": change.action, "logicalID": change.logicalID, "type": change.resourceType,
                                "replacement": change.replacement ?? "",
                            ]
                        }
                },
                "findings": (task?.findings ?? []).map { ["severity": $0.severity.rawValue, "rule": $0.rule, "message": $0.message] },
            ]
            if let estimate = task?.estimate {
                item["costDelta"] = (estimate.isSaving ? "−$" : "+$") + Self.money(abs(estimate.monthlyUSD))
            }
            plans.append(item)
        }
        return ["plans": plans, "pager": pager(waiting, path: "/dashboard/decisions", query: [:])]
    }

    func tasks(state: Plan.State?, search: String?, page: Int) async throws -> [String: Any] {
        let tasks = try await data.tasks(state: state, search: search, page: page, perPage: Self.perPage)
        var query: [String: String] = [:]
        if let state { query["state"] = state.rawValue }
        if let search, !search.isEmpty { query["q"] = search }
        return [
            "tasks": tasks.items.map { task in
                [
                    "planID": task.planID, "title": task.title, "repository": task.repository ?? "", "issue": task.issue.map(String.init) ?? "",
                    "requester": task.requester ?? "", "state": task.state.rawValue, "steps": task.steps, "updated": Self.when(task.updatedAt),
                ] as [String: Any]
            },
            "states": [Plan.State.running, .ready, .failed, .stopped].map { ["name": $0.rawValue, "selected": $0 == state] },
            "query": search ?? "", "filtered": state != nil || !(search ?? "").isEmpty,
            "pager": pager(tasks, path: "/dashboard/tasks", query: query),
        ]
    }

    /// One task's page, or nil when there is no such plan.
    func task(_ id: String) async throws -> (title: String, context: [String: Any])? {
        guard let plan = try await data.plan(id: id) else { return nil }
        let summary = TaskSummary(plan: plan)
        let changePlans =
            if let repository = plan.repository, let issue = plan.task.issue { try await data.changePlans(repository: repository, issue: issue) } else
            { [ChangePlan]() }
        var deployments: [Deployment] = []
        for changePlan in changePlans { deployments += try await data.deployments(plan: changePlan.id) }
        let pulls = Set(changePlans.map(\.pullRequest)).sorted()
        let context: [String: Any] = [
            "planID": plan.id, "state": plan.state.rawValue, "requester": plan.task.requester ?? "", "repository": plan.repository ?? "",
            "issue": plan.task.issue.map(String.init) ?? "", "issueURL": link(plan.repository, "issues", plan.task.issue) as Any,
            "pulls": pulls.map { ["number": $0, "url": link(plan.repository, "pull", $0) ?? ""] as [String: Any] },
            "failures": plan.failureReasons,
            "graph": PlanGraph.svg(plan.steps),
            "steps": plan.steps.map { step in
                [
                    "id": step.id, "agent": step.agent.rawValue, "state": step.state.rawValue, "attempts": step.attempts,
                    "started": Self.when(step.startedAt), "took": Self.duration(step.duration), "error": step.error as Any,
                ] as [String: Any]
            },
            "messages": plan.messages.map { message in
                [
                    "sender": message.sender.rawValue, "recipient": message.recipient?.rawValue ?? "everyone", "intent": message.intent.rawValue,
                    "content": message.content,
                ]
            },
            "files": plan.files.changes.map { change -> [String: String] in
                if case .delete(let path) = change { return ["path": path, "kind": "deleted"] }
                return ["path": change.path, "kind": ""]
            },
            "findings": plan.findings.map { finding in
                [
                    "severity": finding.severity.rawValue, "rule": finding.rule, "file": finding.file, "line": finding.line,
                    "message": finding.message,
                    "fix": finding.fix,
                ] as [String: Any]
            },
            "changePlans": changePlans.map { changePlan in
                [
                    "pullRequest": changePlan.pullRequest, "head": String(changePlan.headSHA.prefix(12)),
                    "stacks": changePlan.stacks.map(\.key.name).joined(separator: ", "), "state": changePlan.state.rawValue,
                    "created": Self.when(changePlan.createdAt),
                ] as [String: Any]
            },
            "deployments": deployments.map { ["stack": $0.stack.name, "status": $0.status, "by": $0.by, "ended": Self.when($0.endedAt)] },
            "logs":
                (plan.repository.flatMap { repository in plan.task.issue.map { configuration.taskLogs.logs(repository: repository, issue: $0) } }
                ?? [])
                .map { ["name": $0.name, "text": $0.text] },
        ]
        return (summary.title, context)
    }

    func agents() async throws -> [String: Any] {
        let activity = try await data.agentActivity()
        return [
            "agents": activity.map { agent in
                [
                    "agent": agent.agent.rawValue, "steps": agent.steps, "running": agent.running,
                    "successRate": agent.successRate.map { String(format: "%.0f%%", $0 * 100) } ?? "–",
                    "mean": Self.duration(agent.meanSeconds), "p95": Self.duration(agent.p95Seconds), "handoffs": agent.handoffs, "gaps": agent.gaps,
                ] as [String: Any]
            }
        ]
    }

    struct ResourceFilter: Sendable {
        var account: String?
        var region: String?
        var service: String?
        var tag: String?
        var isEmpty: Bool { [account, region, service, tag].allSatisfy { ($0 ?? "").isEmpty } }
    }

    static func service(of resourceType: String) -> String {
        resourceType.split(separator: "::").dropFirst().first.map(String.init) ?? resourceType
    }

    func resources(_ filter: ResourceFilter, page: Int) async throws -> [String: Any] {
        let all = try await data.registeredResources().filter { $0.goneSince == nil }
        func matches(_ resource: RegisteredResource) -> Bool {
            if let account = filter.account, !account.isEmpty, resource.stack.account != account { return false }
            if let region = filter.region, !region.isEmpty, resource.stack.region != region { return false }
            if let service = filter.service, !service.isEmpty, Self.service(of: resource.resourceType) != service { return false }
            if let tag = filter.tag, !tag.isEmpty {
                let parts = tag.split(separator: "=", maxSplits: 1).map(String.init)
                guard let value = resource.tags?[parts[0]] else { return false }
                if parts.count == 2, value != parts[1] { return false }
            }
            return true
        }
        let shown = all.filter(matches).sorted { ($0.repository, $0.issue, $0.logicalID) < ($1.repository, $1.issue, $1.logicalID) }
        let page = max(1, page)
        let slice = Page(
            items: Array(shown.dropFirst((page - 1) * Self.perPage).prefix(Self.perPage)),
            total: shown.count,
            page: page,
            perPage: Self.perPage
        )
        func options(_ name: String, _ label: String, _ values: Set<String>, _ chosen: String?) -> [String: Any] {
            ["name": name, "label": label, "options": values.sorted().map { ["value": $0, "selected": $0 == chosen] }]
        }
        var query: [String: String] = [:]
        for (key, value) in [("account", filter.account), ("region", filter.region), ("service", filter.service), ("tag", filter.tag)] {
            if let value, !value.isEmpty { query[key] = value }
        }
        return [
            "filters": [
                options("account", "Account", Set(all.map(\.stack.account)), filter.account),
                options("region", "Region", Set(all.map(\.stack.region)), filter.region),
                options("service", "Service", Set(all.map { Self.service(of: $0.resourceType) }), filter.service),
            ],
            "tag": filter.tag ?? "", "filtered": !filter.isEmpty,
            "resources": slice.items.map { resource in
                [
                    "arn": resource.arn, "logicalID": resource.logicalID, "type": resource.resourceType, "stack": resource.stack.name,
                    "health": resource.health, "owner": resource.ownerAgent.rawValue, "autonomy": resource.autonomy.map(String.init) ?? "–",
                    "cost": resource.costPerDayUSD.map { "$" + Self.money($0) } ?? "–", "repository": resource.repository, "issue": resource.issue,
                ] as [String: Any]
            },
            "pager": pager(slice, path: "/dashboard/resources", query: query),
        ]
    }

    func knowledge(kind: KnowledgeKind?, search: String?) async throws -> [String: Any] {
        let entries = try await data.knowledge(kind: kind, matching: search?.isEmpty == true ? nil : search, limit: 200)
        return [
            "kinds": KnowledgeKind.allCases.map { ["name": $0.rawValue, "selected": $0 == kind] },
            "query": search ?? "", "filtered": kind != nil || !(search ?? "").isEmpty,
            "entries": entries.map {
                ["at": Self.when($0.at), "kind": $0.kind.rawValue, "repository": $0.repository, "reference": $0.reference, "summary": $0.summary]
            },
        ]
    }

    func costs() async throws -> [String: Any] {
        let now = clock.now()
        let book = CostBook(resources: try await data.registeredResources(), deployments: try await data.recentDeployments(limit: 10_000))
        let days = book.daily(now: now)
        let budget = configuration.changes.budgets.monthlyUSD
        return [
            "monthlyBudget": budget.map(Self.money) as Any,
            "dailyChart": CostChart.svg(days.map { CostChart.Day(label: $0.label, usd: $0.usd) }, dailyBudget: budget.map { $0 / 30 }),
            "perTask": book.perTask().map { task in
                [
                    "repository": task.repository, "issue": task.issue, "resources": task.resources, "daily": Self.money(task.daily),
                    "monthly": Self.money(task.daily * 30),
                ] as [String: Any]
            },
        ]
    }

    func settings() -> [String: Any] {
        let c = configuration
        let rows: [(String, String)] = [
            ("default_region", c.defaultRegion ?? "(none)"), ("workers", String(c.workers)),
            ("cost_approval_threshold_usd", Self.money(c.costApprovalThresholdUSD)),
            ("budget_task_usd", c.changes.budgets.taskUSD.map(Self.money) ?? "(none)"),
            ("budget_monthly_usd", c.changes.budgets.monthlyUSD.map(Self.money) ?? "(none)"),
            ("protected_resources", c.changes.protected.rules.map(\.description).joined(separator: ", ").ifEmpty("(none)")),
            ("redact_patterns", "\(c.redactPatterns.count) of the operator's own, beside the built-in keys, tokens and private keys"),
            ("dashboard_users", c.dashboard.users.sorted().joined(separator: ", ").ifEmpty("(none)")),
            ("dashboard_teams", c.dashboard.teams.sorted().joined(separator: ", ").ifEmpty("(none)")),
            (
                "GitHub sign-in",
                c.dashboard.oauthConfigured ? "on (client \(c.dashboard.oauthClientID ?? ""))" : "off: only the operator token signs in"
            ),
            ("dashboard_session_hours", String(format: "%g", c.dashboard.sessionHours)),
            ("api_token", c.apiToken == nil ? "not set: the API and operator sign-in are closed" : "set (not shown)"),
            ("health_check_interval_minutes", String(format: "%g", c.healthCheckIntervalMinutes)),
            ("retention_days", String(c.retentionDays)),
        ]
        return ["settings": rows.map { ["key": $0.0, "value": $0.1] }]
    }

    // MARK: - Paging

    func pager<Item>(_ page: Page<Item>, path: String, query: [String: String]) -> [String: Any] {
        func url(_ number: Int) -> String {
            var components = URLComponents()
            components.path = path
            components.queryItems = (query.sorted { $0.key < $1.key } + [("page", String(number))]).map { URLQueryItem(name: $0.0, value: $0.1) }
            return components.string ?? path
        }
        var pager: [String: Any] = ["several": page.pages > 1, "page": page.page, "pages": page.pages, "total": page.total]
        if page.page > 1 { pager["previous"] = url(page.page - 1) }
        if page.page < page.pages { pager["next"] = url(page.page + 1) }
        return pager
    }
}

extension String {
    fileprivate func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
