import Crypto
import Foundation
import GafferAWS
import GafferAgents
import GafferCore
import GafferGit
import GafferGitHub

/// Makes a pull request's plan: takes each stack's lock, makes a CloudFormation change set for
/// each stack of the head commit (CREATE or UPDATE), waits for AWS to describe it, and keeps the
/// record. Asked again at the same commit, it returns the plan it made; a change set made by a
/// worker that died is found by its name and used, never made twice.
public struct ChangePlanner: Sendable {
    public let work: ChangeWork

    public init(work: ChangeWork) {
        self.work = work
    }

    public enum Outcome: Sendable {
        case planned(ChangePlan, reused: Bool)
        /// Stacks held by other pull requests.
        case locked([StackLock])
        /// AWS refused a change set, or the commit could not be read: the reason, for a person.
        case failed(String)
        /// Nothing to plan: no pull request, no stacks.
        case nothing(String)
        /// It would change what `protected_resources` protects: the rule, and what it protects.
        case protected(rule: String, what: String)
    }

    /// A stack's template in the commit.
    struct StackFile: Sendable {
        var name: String
        var path: String
        var body: String
    }

    /// The change set's name for a pull request's commit and the how-manieth plan of it this is: a
    /// retried job finds the one it made; a plan made again after a discarded one gets a new name.
    static func changeSetName(pullRequest: Int, head: String, generation: Int) -> String {
        "gaffer-pr\(pullRequest)-\(head.prefix(12))-\(generation)"
    }

    static func hash(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The account and region of the task's stacks.
    func location(of task: AwsTask?) async throws -> (account: String, region: String) {
        let account: String
        if let named = task?.account { account = named } else { account = try await work.stacks.defaultAccount() }
        return (account, task?.region ?? work.defaultRegion)
    }

    public func plan(_ target: TaskTarget, requestedBy: String, client: GitHubClient) async throws -> Outcome {
        guard let pull = target.openPullRequest else { return .nothing("the task has no open pull request") }
        let head = pull.head.sha
        if let latest = try await work.store.latestChangePlan(repository: target.fullName, pullRequest: pull.number),
            latest.headSHA == head, latest.state == .planned
        {
            return .planned(latest, reused: true)
        }
        if target.task?.kind == .delete { return try await planDeletion(target, pull: pull, requestedBy: requestedBy) }
        let files: [StackFile]
        do {
            files = try await stackFiles(target, head: head, client: client)
        } catch let error as GitError {
            return .failed("the commit \(head.prefix(12)) could not be read: \(error)")
        }
        guard !files.isEmpty else { return .nothing("the commit \(head.prefix(12)) has no stacks (infra/<stack>/template.yaml)") }
        let (account, region) = try await location(of: target.task)
        let keys = files.map { StackKey(account: account, region: region, name: $0.name) }
        if let refusal = try await protection(of: keys, changes: []) { return refusal }

        if case .some(let refusal) = try await takeLocks(keys, target: target, pullRequest: pull.number) { return refusal }

        // The plan this one replaces goes first: its change sets (and a stack made only for them) must not linger.
        if let previous = try await work.store.latestChangePlan(repository: target.fullName, pullRequest: pull.number), previous.state == .planned {
            try await discard(previous)
        }
        let earlier = try await work.store.changePlans(repository: target.fullName, pullRequest: pull.number).filter { $0.headSHA == head }
        let name = Self.changeSetName(pullRequest: pull.number, head: head, generation: earlier.count + 1)
        var planned: [PlannedStack] = []
        for (index, (file, key)) in zip(files, keys).enumerated() {
            do {
                // A name per stack too: one name for several stacks would be ambiguous to a local endpoint.
                planned.append(try await changeSet(for: file, key: key, name: "\(name)-\(index + 1)", target: target))
            } catch let failure as PlanFailure {
                return .failed(failure.message)
            }
        }
        // What the change sets would modify or remove, by ARN: no change set of a protected resource is kept.
        if let refusal = try await protection(of: keys, changes: planned) {
            await drop(planned)
            _ = try await work.store.releaseLocks(repository: target.fullName, pullRequest: pull.number, keys: keys)
            return refusal
        }
        let coordinated = try await work.store.latestPlan(repository: target.fullName, issue: target.issue)
        return try await save(
            ChangePlan(
                id: Self.planID(target, pull: pull),
                repository: target.fullName,
                issue: target.issue,
                pullRequest: pull.number,
                headSHA: head,
                stacks: planned,
                requestedBy: requestedBy,
                requester: target.requester,
                createdAt: work.clock.now(),
                approvalReasons: (coordinated?.approvalReasons ?? []) + (try await budgetReasons(coordinated))
            )
        )
    }

    /// A delete task's plan: the stacks it names (and their alarms' stacks) that exist.
    private func planDeletion(_ target: TaskTarget, pull: PullRequestDetails, requestedBy: String) async throws -> Outcome {
        let coordinated = try await work.store.latestPlan(repository: target.fullName, issue: target.issue)
        let (account, region) = try await location(of: target.task)
        var keys: [StackKey] = []
        for ref in coordinated?.stacks ?? [] {
            for name in [ref.name, StackNaming.stackName("\(ref.name)-monitoring")] {
                let key = StackKey(account: ref.account ?? account, region: ref.region ?? region, name: name)
                if try await work.stacks.stack(key) != nil { keys.append(key) }
            }
        }
        guard !keys.isEmpty else { return .nothing("none of the stacks this task deletes exists in \(account) \(region)") }
        return try await planDeletion(of: keys, target: target, pull: pull, requestedBy: requestedBy, coordinated: coordinated)
    }

    /// A plan that deletes `keys` (a delete task, or `/destroy`), each resource listed as removed. There is no
    /// change set for a deletion; `/apply` deletes the stacks once a second person approved.
    func planDeletion(
        of keys: [StackKey],
        target: TaskTarget,
        pull: PullRequestDetails,
        requestedBy: String,
        coordinated: Plan? = nil
    ) async throws -> Outcome {
        if let refusal = try await protection(of: keys, changes: []) { return refusal }
        if case .some(let refusal) = try await takeLocks(keys, target: target, pullRequest: pull.number) { return refusal }
        if let previous = try await work.store.latestChangePlan(repository: target.fullName, pullRequest: pull.number), previous.state == .planned {
            try await discard(previous)
        }
        var stacks: [PlannedStack] = []
        for key in keys {
            // Every resource AWS names (a local endpoint may list one it cannot name).
            let removed = try await work.stacks.resources(key).filter { !$0.logicalResourceID.isEmpty }.map {
                ResourceChange(action: "Remove", logicalID: $0.logicalResourceID, physicalID: $0.physicalResourceID, resourceType: $0.resourceType)
            }
            stacks.append(
                PlannedStack(
                    key: key,
                    changeSetType: "DELETE",
                    changeSetName: "",
                    changeSetID: "",
                    templatePath: "",
                    templateHash: "",
                    changes: removed
                )
            )
        }
        if let refusal = try await protection(of: keys, changes: stacks) {
            _ = try await work.store.releaseLocks(repository: target.fullName, pullRequest: pull.number, keys: keys)
            return refusal
        }
        return try await save(
            ChangePlan(
                id: Self.planID(target, pull: pull),
                repository: target.fullName,
                issue: target.issue,
                pullRequest: pull.number,
                headSHA: pull.head.sha,
                operation: .delete,
                stacks: stacks,
                requestedBy: requestedBy,
                requester: target.requester,
                createdAt: work.clock.now(),
                approvalReasons: coordinated?.approvalReasons ?? []
            )
        )
    }

    /// The budgets' reasons for an approval: what the task's plan adds to the month and what Gaffer spent on it,
    /// against the registry's run rate. A saving adds nothing.
    func budgetReasons(_ plan: Plan?) async throws -> [String] {
        let budgets = work.settings.budgets
        guard budgets.taskUSD != nil || budgets.monthlyUSD != nil else { return [] }
        let runRate =
            budgets.monthlyUSD == nil
            ? 0
            : try await work.store.registeredResources().filter { $0.goneSince == nil }
                .reduce(0) { $0 + ($1.costPerDayUSD ?? 0) } * 30
        let estimate = plan?.estimate
        return budgets.approvalReasons(
            adds: estimate?.isSaving == true ? nil : estimate?.monthlyUSD,
            ownSpend: plan?.costUSD ?? 0,
            monthlyRunRate: runRate
        )
    }

    static func planID(_ target: TaskTarget, pull: PullRequestDetails) -> String {
        "\(target.fullName.lowercased())#\(pull.number)@\(pull.head.sha)/\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Keeps the new plan.
    func save(_ plan: ChangePlan) async throws -> Outcome {
        .planned(try await work.store.saveChangePlan(plan), reused: false)
    }

    /// Takes every stack for the pull request, or none: nil when all are its own.
    func takeLocks(_ keys: [StackKey], target: TaskTarget, pullRequest: Int) async throws -> Outcome? {
        var foreign: [StackLock] = []
        var taken: [StackKey] = []
        for key in keys {
            let had = try await work.store.lock(for: key)
            let lock = try await work.store.acquireLock(
                StackLock(key: key, repository: target.fullName, pullRequest: pullRequest, issue: target.issue, at: work.clock.now())
            )
            if lock.isHeld(by: target.fullName, pullRequest: pullRequest) {
                if had == nil { taken.append(key) }
            } else {
                foreign.append(lock)
            }
        }
        guard !foreign.isEmpty else { return nil }
        if !taken.isEmpty { try await work.store.releaseLocks(repository: target.fullName, pullRequest: pullRequest, keys: taken) }
        return .locked(foreign)
    }

    struct PlanFailure: Error {
        var message: String
    }

    /// The stack's change set for this commit: the one already made under `name`, else a new one, described once AWS is done.
    private func changeSet(for file: StackFile, key: StackKey, name: String, target: TaskTarget) async throws -> PlannedStack {
        let stacks = work.stacks
        let existing = try await stacks.changeSet(key, name: name)
        let type: String
        let id: String
        if let existing, existing.status != "FAILED" || Self.isEmpty(existing) {
            type = try await stacks.stack(key).map { $0.status == "REVIEW_IN_PROGRESS" ? "CREATE" : "UPDATE" } ?? "CREATE"
            id = existing.changeSetID
        } else {
            if existing != nil { try await stacks.deleteChangeSet(key, name: name) }
            var stack = try await stacks.stack(key)
            if stack?.status == "ROLLBACK_COMPLETE" {
                // A creation that failed leaves an empty stack that can only be deleted: clear it to create again.
                try await stacks.deleteStack(key)
                let deadline = ContinuousClock.now + .seconds(600)
                while let current = try await stacks.stack(key), current.status != "DELETE_FAILED", ContinuousClock.now < deadline {
                    try await Task.sleep(for: work.settings.pollInterval)
                }
                stack = try await stacks.stack(key)
            }
            type = stack == nil || stack?.status == "REVIEW_IN_PROGRESS" ? "CREATE" : "UPDATE"
            let tags = ["gaffer:issue": "\(target.fullName)#\(target.issue)", "gaffer:managed": "true"]
            do {
                id = try await stacks.createChangeSet(key, name: name, type: type, template: file.body, tags: tags)
            } catch let error as AWSServiceError {
                throw PlanFailure(message: "CloudFormation refused the change set for \(key.name): \(error.message)")
            }
        }
        let deadline = ContinuousClock.now + .seconds(600)
        // From here on by its id (ARN): exactly the change set made.
        var described = try await stacks.changeSet(key, name: id)
        while let current = described, ["CREATE_PENDING", "CREATE_IN_PROGRESS"].contains(current.status) {
            guard ContinuousClock.now < deadline else {
                throw PlanFailure(message: "CloudFormation did not finish the change set for \(key.name) within 10 minutes")
            }
            try await Task.sleep(for: work.settings.pollInterval)
            described = try await stacks.changeSet(key, name: id)
        }
        guard let changeSet = described else { throw PlanFailure(message: "the change set \(name) for \(key.name) disappeared") }
        let hash = Self.hash(file.body)
        if Self.isEmpty(changeSet) {
            // Nothing to do: a change set without changes cannot be executed on AWS, so it is not kept.
            try await stacks.deleteChangeSet(key, name: id)
            return PlannedStack(
                key: key,
                changeSetType: type,
                changeSetName: name,
                changeSetID: "",
                templatePath: file.path,
                templateHash: hash,
                changes: []
            )
        }
        guard changeSet.status == "CREATE_COMPLETE" else {
            throw PlanFailure(message: "CloudFormation could not plan \(key.name): \(changeSet.statusReason ?? changeSet.status)")
        }
        return PlannedStack(
            key: key,
            changeSetType: type,
            changeSetName: name,
            changeSetID: changeSet.changeSetID.isEmpty ? id : changeSet.changeSetID,
            templatePath: file.path,
            templateHash: hash,
            changes: changeSet.changes.map(Self.resourceChange)
        )
    }

    /// AWS says "The submitted information didn't contain changes" as a FAILED change set; moto gives an empty one.
    static func isEmpty(_ changeSet: CloudFormation.ChangeSet) -> Bool {
        if changeSet.status == "FAILED" {
            let reason = changeSet.statusReason ?? ""
            return reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
        }
        return changeSet.status == "CREATE_COMPLETE" && changeSet.changes.isEmpty
    }

    static func resourceChange(_ change: CloudFormation.Change) -> ResourceChange {
        var properties: [PropertyChange] = []
        for detail in change.details where detail.attribute == "Properties" || detail.attribute == "Tags" {
            let name = detail.name ?? detail.attribute
            if let index = properties.firstIndex(where: { $0.name == name }) {
                // AWS lists a property once per cause: keep the strongest recreation and any values.
                let ranks = ["Never": 0, "Conditionally": 1, "Always": 2]
                if ranks[detail.requiresRecreation ?? ""] ?? 0 > ranks[properties[index].requiresRecreation ?? ""] ?? 0 {
                    properties[index].requiresRecreation = detail.requiresRecreation
                }
                properties[index].before = properties[index].before ?? detail.beforeValue
                properties[index].after = properties[index].after ?? detail.afterValue
            } else {
                properties.append(
                    PropertyChange(name: name, requiresRecreation: detail.requiresRecreation, before: detail.beforeValue, after: detail.afterValue)
                )
            }
        }
        return ResourceChange(
            action: change.action,
            logicalID: change.logicalResourceID,
            physicalID: change.physicalResourceID,
            resourceType: change.resourceType,
            replacement: change.replacement,
            properties: properties
        )
    }

    /// Marks the plan discarded and drops its change sets (AWS keeps them otherwise), and a stack that
    /// exists only to hold one (a new stack's CREATE change set leaves it in REVIEW_IN_PROGRESS).
    /// `from`: the states it may be discarded from (a failed plan is, by `/retry`).
    public func discard(_ plan: ChangePlan, from: Set<ChangePlan.State> = [.planned]) async throws {
        guard try await work.store.transitionChangePlan(plan.id, from: from, to: .discarded) else { return }
        await drop(plan.stacks)
    }

    /// The refusal when a stack, its tags, or a resource its change modifies or removes is protected
    /// (`protected_resources`); nil when nothing is.
    func protection(of keys: [StackKey], changes: [PlannedStack]) async throws -> Outcome? {
        let protected = work.settings.protected
        guard !protected.rules.isEmpty else { return nil }
        for key in keys {
            let tags = try await work.stacks.stack(key)?.tags ?? [:]
            let existing = changes.filter { $0.key == key }.flatMap(\.changes).filter { $0.action != "Add" }
            // A change set need not name the physical resource (moto's does not): the stack does.
            var physical: [String: String] = [:]
            if existing.contains(where: { $0.physicalID == nil }) {
                for resource in try await work.stacks.resources(key) { physical[resource.logicalResourceID] = resource.physicalResourceID }
            }
            let touched = existing.compactMap { change in
                (change.physicalID ?? physical[change.logicalID]).map {
                    ResourceARN.of(type: change.resourceType, physicalID: $0, account: key.account, region: key.region)
                }
            }
            guard let rule = protected.rule(protecting: key.name, tags: tags, arns: touched) else { continue }
            let what: String
            switch rule {
            case .arn(let pattern):
                what = touched.first { ProtectedResources.matches(pattern, $0) }.map { "\($0) in the stack \(key.name)" } ?? key.name
            case .tag: what = "the stack \(key.name) (by its tags)"
            case .stack: what = "the stack \(key.name)"
            }
            return .protected(rule: rule.description, what: what)
        }
        return nil
    }

    /// Deletes change sets, and a stack made only to hold one. Best effort: a change set left behind is never run.
    func drop(_ stacks: [PlannedStack]) async {
        for stack in stacks where !stack.changeSetID.isEmpty {
            try? await work.stacks.deleteChangeSet(stack.key, name: stack.changeSetID)
            let current = try? await work.stacks.stack(stack.key)
            if stack.changeSetType == "CREATE", current?.status == "REVIEW_IN_PROGRESS" {
                try? await work.stacks.deleteStack(stack.key)
            }
        }
    }

    /// Each `infra/<stack>/template.yaml` the pull request changes (stack `<stack>`), then each `monitoring.yaml`
    /// (stack `<stack>-monitoring`).
    func stackFiles(_ target: TaskTarget, head: String, client: GitHubClient) async throws -> [StackFile] {
        guard let cloneURL = target.cloneURL, let commit = GitObjectID(hex: head) else { return [] }
        let folder = work.workDirectory.appendingPathComponent(UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let remote = try GitRemote(url: cloneURL, credentials: .token(try await client.gitToken(for: target.repository)))
        let changed = try await work.workspaces.withWorkspace(for: remote, job: "plan-\(head.prefix(12))") { workspace in
            _ = try await workspace.checkout(commit, to: folder)
            return try await ChangedStacks.folders(base: target.pullRequest?.base.sha, head: commit, in: workspace)
        }
        let infra = folder + "/infra"
        // Only the stacks the pull request changes: the default branch holds every merged task's stacks too.
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: infra)) ?? []).sorted().filter { changed?.contains($0) ?? true }
        var main: [StackFile] = []
        var monitoring: [StackFile] = []
        for name in names {
            for (file, stack) in [("template.yaml", name), ("monitoring.yaml", "\(name)-monitoring")] {
                let path = "\(infra)/\(name)/\(file)"
                guard let data = FileManager.default.contents(atPath: path), let body = String(data: data, encoding: .utf8) else { continue }
                let entry = StackFile(name: String(stack.prefix(128)), path: "infra/\(name)/\(file)", body: body)
                if file == "template.yaml" { main.append(entry) } else { monitoring.append(entry) }
            }
        }
        return main + monitoring
    }
}
