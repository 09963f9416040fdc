import Foundation
import GafferAWS
import GafferAgents
import GafferCore
import GafferMessages

/// Carries out a plan's change sets (or deletes its stacks) and follows each stack to the end.
/// It never executes blindly: a change set AWS already ran (a worker died mid-apply) is followed,
/// not run again, so the next worker reconciles from the stack's own status.
public struct ChangeApplier: Sendable {
    public let work: ChangeWork

    public init(work: ChangeWork) {
        self.work = work
    }

    /// Applied (what was made is in the registry and the deployment history), or the failure and each stack's state.
    public enum Outcome: Sendable {
        case applied
        case failed(GafferComments.ApplyFailure, progress: [GafferComments.StackProgress])
    }

    static let succeeded: Set<String> = ["CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"]

    static func isSettled(_ status: String) -> Bool {
        !status.hasSuffix("_IN_PROGRESS") || status == "REVIEW_IN_PROGRESS"
    }

    /// Runs the plan for `by`; `report` is called with each stack's progress at most every `progressInterval`.
    public func apply(
        _ plan: ChangePlan,
        by: String,
        estimate: CostEstimate?,
        report: @Sendable ([GafferComments.StackProgress]) async -> Void
    ) async throws -> Outcome {
        var progress = plan.stacks.map { GafferComments.StackProgress(name: $0.key.name, status: "waiting", detail: "") }
        var resources: [RegisteredResource] = []
        // Monitoring stacks refer to the main stacks' exports: deleting goes the other way round.
        let order = plan.operation == .delete ? Array(plan.stacks.indices.reversed()) : Array(plan.stacks.indices)
        for index in order {
            let stack = plan.stacks[index]
            let key = stack.key
            if plan.operation == .change && stack.changeSetID.isEmpty {
                progress[index] = .init(name: key.name, status: "unchanged", detail: "no changes")
                resources += try await registered(key, plan: plan, estimate: estimate)
                continue
            }
            let started = work.clock.now()
            let refusal: String?
            do {
                try await start(stack, operation: plan.operation)
                refusal = nil
            } catch let error as AWSServiceError where Self.isRefusal(error) {
                // AWS would not start it (a name taken, a limit): that is the apply's outcome, not a reason to try again.
                refusal = "CloudFormation refused to run it: \(error.message)"
            } catch let error as NotRunnable {
                refusal = error.reason
            }
            if let refusal {
                let failure = GafferComments.ApplyFailure(
                    resource: key.name,
                    reason: refusal,
                    stackStatus: try await work.stacks.stack(key)?.status ?? "none"
                )
                progress[index] = .init(name: key.name, status: failure.stackStatus, detail: "not run")
                // AWS names no resource when it refuses the whole change: the change's first resource is what it was about.
                try await learn(failure, resourceType: stack.changes.first?.resourceType, plan: plan, stack: key)
                return .failed(failure, progress: progress)
            }
            // The apply comment is written once the stack is seen still changing; one that settles at once is not reported twice.
            let final = try await follow(key, deleting: plan.operation == .delete) { status in
                progress[index] = .init(name: key.name, status: status, detail: "")
                await report(progress)
            }
            let succeeded = plan.operation == .delete ? final == nil : Self.succeeded.contains(final?.status ?? "")
            try await work.store.recordDeployment(
                Deployment(
                    planID: plan.id,
                    stack: key,
                    repository: plan.repository,
                    issue: plan.issue,
                    pullRequest: plan.pullRequest,
                    status: final?.status ?? "DELETE_COMPLETE",
                    succeeded: succeeded,
                    by: by,
                    startedAt: started,
                    endedAt: work.clock.now()
                )
            )
            guard succeeded else {
                let (failure, type) = try await failure(key, status: final?.status ?? "gone")
                progress[index] = .init(name: key.name, status: final?.status ?? "unknown", detail: "failed")
                try await learn(failure, resourceType: type, plan: plan, stack: key)
                return .failed(failure, progress: progress)
            }
            progress[index] = .init(name: key.name, status: final?.status ?? "DELETE_COMPLETE", detail: "done")
            if plan.operation == .delete {
                try await work.store.unregister(stack: key)
            } else {
                resources += try await registered(key, plan: plan, estimate: estimate)
            }
        }
        if !resources.isEmpty { try await work.store.register(resources) }
        // What failed before for this task is fixed by what was applied now.
        try await work.store.resolveLearnings(
            repository: plan.repository,
            issue: plan.issue,
            fix: "the plan of commit \(plan.headSHA.prefix(7)) in #\(plan.pullRequest), applied by \(by)",
            at: work.clock.now()
        )
        return .applied
    }

    /// Keeps the failure in the knowledge base, once per plan and stack, until the task's next apply fixes it.
    private func learn(_ failure: GafferComments.ApplyFailure, resourceType: String?, plan: ChangePlan, stack key: StackKey) async throws {
        try await work.store.recordLearning(
            Learning(
                planID: plan.id,
                stack: key.name,
                repository: plan.repository,
                issue: plan.issue,
                pullRequest: plan.pullRequest,
                resourceType: resourceType ?? "AWS::CloudFormation::Stack",
                errorCode: Learning.errorCode(in: failure.reason),
                reason: failure.reason,
                failedAt: work.clock.now()
            )
        )
    }

    struct NotRunnable: Error {
        var reason: String
    }

    /// 4xx answers other than throttling: AWS looked and said no.
    static func isRefusal(_ error: AWSServiceError) -> Bool {
        (400..<500).contains(error.status) && !["Throttling", "ThrottlingException", "RequestLimitExceeded"].contains(error.code)
    }

    /// Starts the stack's change (executes its change set, or deletes it), unless AWS already started it.
    private func start(_ stack: PlannedStack, operation: ChangePlan.Operation) async throws {
        let key = stack.key
        if operation == .delete {
            if let current = try await work.stacks.stack(key), Self.isSettled(current.status), current.status != "DELETE_IN_PROGRESS" {
                try await work.stacks.deleteStack(key)
            }
            return
        }
        // By its ARN: exactly the change set that was shown.
        let changeSet = try await work.stacks.changeSet(key, name: stack.changeSetID)
        switch changeSet?.executionStatus {
        case "AVAILABLE": try await work.stacks.executeChangeSet(key, name: stack.changeSetID)
        // Run before a worker died: follow it, never run it again.
        case "EXECUTE_IN_PROGRESS", "EXECUTE_COMPLETE", "EXECUTE_FAILED": break
        default:
            let state = changeSet.map { "\($0.executionStatus)\($0.statusReason.map { ": \($0)" } ?? "")" } ?? "gone"
            throw NotRunnable(reason: "the change set \(stack.changeSetName) cannot be executed (\(state)); `/plan` again")
        }
    }

    /// Looks at the stack until it settles; nil when it is gone.
    private func follow(
        _ key: StackKey,
        deleting: Bool,
        report: (String) async -> Void
    ) async throws -> CloudFormation.Stack? {
        let deadline = ContinuousClock.now + work.settings.stackTimeout
        var lastReport = ContinuousClock.now
        var lastStatus = ""
        while true {
            let stack = try await work.stacks.stack(key)
            guard let stack else { return nil }
            if Self.isSettled(stack.status) && !(deleting && stack.status == "DELETE_IN_PROGRESS") { return stack }
            if stack.status != lastStatus || ContinuousClock.now - lastReport > work.settings.progressInterval {
                await report(stack.status)
                lastReport = ContinuousClock.now
                lastStatus = stack.status
            }
            guard ContinuousClock.now < deadline else {
                throw ApplyTimeout(
                    message: "\(key.name) was still \(stack.status) after \(work.settings.stackTimeout); `/apply` again follows it further"
                )
            }
            try await Task.sleep(for: work.settings.pollInterval)
        }
    }

    struct ApplyTimeout: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// The first resource that failed in the stack's latest operation, with AWS's reason, and its type.
    private func failure(_ key: StackKey, status: String) async throws -> (GafferComments.ApplyFailure, resourceType: String?) {
        // A stack that is gone has no events to read: say what is known.
        let events = (try? await work.stacks.events(key)) ?? []
        // Newest first: the operation's events come before the last time the stack itself was asked to change.
        let operation = events.prefix {
            !($0.logicalResourceID == key.name && $0.status.hasSuffix("_IN_PROGRESS") && $0.statusReason == "User Initiated")
        }
        let failed =
            operation.last { $0.status.hasSuffix("_FAILED") && $0.logicalResourceID != key.name }
            ?? events.first { $0.status.hasSuffix("_FAILED") }
        let failure = GafferComments.ApplyFailure(
            resource: failed?.logicalResourceID ?? key.name,
            reason: failed?.statusReason
                ?? (status == "gone"
                    ? "the stack is gone: CloudFormation deleted it" : "CloudFormation left the stack in \(status) without a reason"),
            stackStatus: status
        )
        return (failure, failed?.resourceType)
    }

    /// The stack's resources as registry rows: an ARN where Gaffer can name one, the cost agent's daily figure.
    private func registered(_ key: StackKey, plan: ChangePlan, estimate: CostEstimate?) async throws -> [RegisteredResource] {
        let resources = try await work.stacks.resources(key)
        var arns: [String: String] = [:]
        for resource in resources {
            guard let physical = resource.physicalResourceID, !physical.isEmpty else { continue }
            arns[resource.logicalResourceID] = ResourceARN.of(
                type: resource.resourceType,
                physicalID: physical,
                account: key.account,
                region: key.region
            )
        }
        // The dependencies as the stack runs them; a template that cannot be read leaves them unknown, not empty.
        let dependencies = try? CloudFormationDocument(path: key.name, text: try await work.stacks.template(key)).dependencies
        return resources.compactMap { resource in
            guard let arn = arns[resource.logicalResourceID] else { return nil }
            let monthly = estimate?.lines.filter { $0.resource == resource.logicalResourceID }.reduce(0.0) { $0 + $1.monthlyUSD }
            var entry = RegisteredResource(
                arn: arn,
                resourceType: resource.resourceType,
                logicalID: resource.logicalResourceID,
                stack: key,
                ownerAgent: work.settings.stewardship.steward(for: resource.resourceType).owner,
                costPerDayUSD: monthly.map { $0 / 30 },
                repository: plan.repository,
                issue: plan.issue,
                updatedAt: work.clock.now()
            )
            entry.dependsOn = dependencies.map { ($0[resource.logicalResourceID] ?? []).compactMap { arns[$0] }.sorted() }
            return entry
        }
    }
}
