import Foundation
import GafferCore

/// Plans a task (`PlanRules`) and runs the plan: every step whose inputs are ready runs at once,
/// each state change is saved, change requests between agents re-run the agent asked and the
/// reviewers after it, and a limit reached stops the plan with the limit named.
public struct Coordinator: Sendable {
    public let agents: AgentRegistry
    public let templates: TemplateLibrary
    public let settings: AgentSettings
    public let limits: PlanLimits
    public let store: any PlanStore
    public let clock: any WallClock
    /// What report steps read; nil: report tasks end in a capability gap that says so.
    public var reports: ReportSources?
    /// Where a ready plan finds the lessons learned about the resources it writes; nil: none are shown.
    public var knowledge: (any KnowledgeStore)?
    /// What writes application code beyond a blueprint; nil: a task that asks for it ends in a capability gap that says so.
    public var coder: ApplicationCoder?
    /// The most lessons one plan shows.
    static let maximumLessons = 3

    /// - Parameters:
    ///   - agents: the agents by role, checked complete.
    ///   - templates: what the agents render.
    ///   - settings: prices and the cost threshold.
    ///   - limits: the limits every new plan gets.
    ///   - store: where plans are saved after every change.
    public init(
        agents: AgentRegistry,
        templates: TemplateLibrary,
        settings: AgentSettings,
        limits: PlanLimits = PlanLimits(),
        store: any PlanStore,
        clock: any WallClock = SystemWallClock()
    ) {
        self.agents = agents
        self.templates = templates
        self.settings = settings
        self.limits = limits
        self.store = store
        self.clock = clock
    }

    /// Makes the task's plan and saves it, without running it.
    public func makePlan(
        for task: AwsTask,
        repository: String? = nil,
        id: String = UUID().uuidString,
        earlierWork: FileSet? = nil
    ) async throws -> Plan {
        var plan = Plan(
            id: id,
            task: task,
            repository: repository,
            steps: PlanRules.steps(for: task),
            limits: limits,
            approvalReasons: PlanRules.approvalReasons(for: task),
            at: clock.now()
        )
        plan.earlierWork = earlierWork
        if plan.steps.count > limits.maxSteps {
            stop(&plan, .steps(limits.maxSteps))
            finish(&plan)
        }
        try await store.savePlan(plan)
        return plan
    }

    /// Makes the task's plan and runs it to the end.
    /// - Parameter earlierWork: what the task's branch holds already, for a step that goes on from it.
    public func plan(_ task: AwsTask, repository: String? = nil, earlierWork: FileSet? = nil) async throws -> Plan {
        try await run(makePlan(for: task, repository: repository, earlierWork: earlierWork))
    }

    /// Runs a saved plan on from where it was: a step left `running` by a worker that died runs again.
    public func resume(planID: String) async throws -> Plan {
        guard let plan = try await store.plan(id: planID) else { throw AgentError("there is no plan \(planID)") }
        return try await run(plan)
    }

    private struct StepResult: Sendable {
        let id: String
        let attempt: Int
        let result: Result<StepOutput, any Error>
    }

    private struct StepTimedOut: Error {}

    public func run(_ plan: Plan) async throws -> Plan {
        var plan = plan
        guard plan.state == .running else { return plan }
        for index in plan.steps.indices where plan.steps[index].state == .running {
            plan.steps[index].state = .pending
        }
        try await withThrowingTaskGroup(of: StepResult.self) { group in
            var running = 0
            while plan.state == .running {
                let ready = readySteps(plan)
                for index in ready {
                    plan.steps[index].state = .running
                    plan.steps[index].attempts += 1
                    plan.steps[index].startedAt = clock.now()
                    plan.steps[index].endedAt = nil
                    plan.steps[index].error = nil
                    let step = plan.steps[index]
                    guard let agent = agents.agent(for: step.agent) else {
                        fail(&plan, index, "no agent has the role \(step.agent.rawValue)")
                        continue
                    }
                    let context = AgentContext(
                        task: plan.task,
                        plan: plan,
                        templates: templates,
                        settings: settings,
                        clock: clock,
                        reports: reports,
                        coder: coder
                    )
                    let timeout = plan.limits.stepTimeoutSeconds
                    group.addTask { await Self.perform(agent, step, context, timeout: timeout) }
                    running += 1
                }
                if !ready.isEmpty { try await save(&plan) }
                if running == 0 { break }
                guard let result = try await group.next() else { break }
                // A cancelled coordinator is a worker going away: leave the plan as saved for another to resume.
                try Task.checkCancellation()
                running -= 1
                apply(result, to: &plan)
                try await save(&plan)
            }
            group.cancelAll()
        }
        finish(&plan)
        if plan.state == .ready, let knowledge { plan.lessons = try await lessons(for: plan, from: knowledge) }
        try await save(&plan)
        return plan
    }

    /// The learnings about every resource type the plan's stacks hold, newest first.
    private func lessons(for plan: Plan, from knowledge: any KnowledgeStore) async throws -> [String]? {
        let files = plan.files
        var types = Set<String>()
        for stack in plan.stacks {
            guard let text = files.text(at: stack.template) else { continue }
            types.formUnion(try CloudFormationDocument.reading(path: stack.template, text: text).resources.map(\.type))
        }
        let lessons = try await knowledge.learnings(resourceTypes: types.sorted()).prefix(Self.maximumLessons).map(\.lesson)
        return lessons.isEmpty ? nil : lessons
    }

    private static func perform(_ agent: any Agent, _ step: Step, _ context: AgentContext, timeout: Double) async -> StepResult {
        let result: Result<StepOutput, any Error>
        do {
            let output = try await withThrowingTaskGroup(of: StepOutput?.self) { group in
                group.addTask { try await agent.perform(step, context: context) }
                group.addTask {
                    try await Task.sleep(for: .seconds(timeout))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let output = first else { throw StepTimedOut() }
                return output
            }
            result = .success(output)
        } catch {
            result = .failure(error)
        }
        return StepResult(id: step.id, attempt: step.attempts, result: result)
    }

    /// Pending steps whose every dependency succeeded or had nothing to do.
    private func readySteps(_ plan: Plan) -> [Int] {
        plan.steps.indices.filter { index in
            let step = plan.steps[index]
            return step.state == .pending
                && step.dependsOn.allSatisfy { id in
                    plan.step(id).map { $0.state == .succeeded || $0.state == .skipped } ?? false
                }
        }
    }

    private func apply(_ result: StepResult, to plan: inout Plan) {
        // A result for a step that was sent back (a handoff) while it ran is stale.
        guard let index = plan.steps.firstIndex(where: { $0.id == result.id }),
            plan.steps[index].state == .running, plan.steps[index].attempts == result.attempt
        else { return }
        plan.steps[index].endedAt = clock.now()
        switch result.result {
        case .success(let output):
            plan.steps[index].output = output
            plan.steps[index].state = output.nothingToDo ? .skipped : .succeeded
            plan.messages += output.messages
            if plan.costUSD > plan.limits.budgetUSD {
                stop(&plan, .budget(usd: plan.limits.budgetUSD))
                return
            }
            for request in output.messages where request.intent == .requestChange {
                guard let recipient = request.recipient else { continue }
                plan.handoffs += 1
                if plan.handoffs > plan.limits.maxHandoffs {
                    stop(&plan, .handoffs(plan.limits.maxHandoffs))
                    return
                }
                plan.requestedChanges[recipient, default: [:]].merge(request.changes) { _, new in new }
                sendBack(&plan, to: recipient)
            }
        case .failure(let error as CapabilityGapError):
            plan.gaps.append(error.gap)
            plan.messages.append(
                AgentMessage(
                    sender: error.gap.agent,
                    recipient: nil,
                    intent: .reportGap,
                    content: "cannot \(error.gap.asked): \(error.gap.lacking)",
                    at: clock.now()
                )
            )
            fail(&plan, index, error.description)
        case .failure(let error as UnfinishedStepError):
            // Failed, but what it wrote is kept: it goes to the branch, never into a pull request.
            plan.steps[index].output = error.output
            fail(&plan, index, error.reason)
        case .failure(is StepTimedOut):
            fail(&plan, index, "ran longer than the time limit per step")
            stop(&plan, .stepTimeout(step: plan.steps[index].id, seconds: plan.limits.stepTimeoutSeconds))
        case .failure(let error):
            fail(&plan, index, (error as? AgentError)?.description ?? String(describing: error))
        }
    }

    /// The steps of `role` and every step after them go back to pending, to run with the change.
    private func sendBack(_ plan: inout Plan, to role: AgentRole) {
        var again = Set(plan.steps.filter { $0.agent == role }.map(\.id))
        var grew = true
        while grew {
            let before = again.count
            for step in plan.steps where step.dependsOn.contains(where: again.contains) { again.insert(step.id) }
            grew = again.count > before
        }
        for index in plan.steps.indices where again.contains(plan.steps[index].id) {
            plan.steps[index].state = .pending
            plan.steps[index].output = nil
        }
    }

    private func fail(_ plan: inout Plan, _ index: Int, _ reason: String) {
        plan.steps[index].state = .failed
        plan.steps[index].error = reason
        plan.steps[index].endedAt = clock.now()
    }

    private func stop(_ plan: inout Plan, _ limit: PlanLimit) {
        plan.state = .stopped
        plan.stoppedBy = limit
    }

    /// Settles every step left and the plan's state.
    private func finish(_ plan: inout Plan) {
        if plan.state == .stopped {
            for index in plan.steps.indices where !plan.steps[index].state.isFinished {
                plan.steps[index].state = .cancelled
                plan.steps[index].error = "stopped: \(plan.stoppedBy?.explanation ?? "a limit was reached")"
            }
            return
        }
        var changed = true
        while changed {
            changed = false
            for index in plan.steps.indices where plan.steps[index].state == .pending {
                if let waited = plan.steps[index].dependsOn.first(where: { [.failed, .blocked, .cancelled].contains(plan.step($0)?.state) }) {
                    plan.steps[index].state = .blocked
                    plan.steps[index].error = "waits for \(waited), which did not succeed"
                    changed = true
                }
            }
        }
        plan.state = plan.steps.allSatisfy { $0.state == .succeeded || $0.state == .skipped } ? .ready : .failed
    }

    private func save(_ plan: inout Plan) async throws {
        plan.updatedAt = clock.now()
        try await store.savePlan(plan)
    }
}
