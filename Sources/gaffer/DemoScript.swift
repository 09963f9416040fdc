import Foundation
import GafferAWS
import GafferCore
import GafferGitHub
import GafferSandbox

/// `gaffer demo --script`: the whole story played by the demo's people, each step timed. Every step
/// waits for what a person would see (a comment, a check, a merged pull request) and for what AWS
/// holds; the first that does not come in time stops the script with the reason.
struct DemoScript {
    let github: URL
    let tokens: [String: String]
    let state: SandboxState
    let aws: AWSClient
    let repository = RepositoryRef(owner: "acme", name: "infra")
    let print: @Sendable (String) -> Void

    struct StepFailed: Error, CustomStringConvertible {
        var description: String
    }

    func person(_ login: String) async throws -> GitHubClient {
        var settings = GitHubClient.Settings(baseURL: github)
        settings.minimumMutationGap = .zero
        settings.redactor = .off  // a person writing, not Gaffer
        return try await GitHubClient(settings: settings, credentials: .token(Secret(tokens[login] ?? "")))
    }

    /// Polls `check` until it gives a value, for at most `seconds`.
    func wait<Value>(_ what: String, seconds: Int = 120, _ check: () async throws -> Value?) async throws -> Value {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let value = try await check() { return value }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw StepFailed(description: "waited \(seconds) s for \(what)")
    }

    func run() async throws {
        let alice = try await person("alice")
        let bob = try await person("bob")
        let carol = try await person("carol")
        let started = ContinuousClock.now
        var last = started
        func step(_ text: String) {
            let now = ContinuousClock.now
            func seconds(_ duration: Duration) -> String {
                String(format: "%6.2f s", Double(duration.components.attoseconds) / 1e18 + Double(duration.components.seconds))
            }
            print("\(seconds(now - started))  (+\(seconds(now - last).trimmingCharacters(in: .whitespaces)))  \(text)")
            last = now
        }
        func gafferComment(_ key: String, on number: Int) async throws -> String? {
            let comments = try await alice.comments(onIssue: number, in: repository)
            return comments.first { $0.user?.login == "gaffer[bot]" && ($0.body?.contains("gaffer:status key=\(key) ") ?? false) }?.body
        }
        /// Comments as `who` and waits for Gaffer's 🚀 or 😕; returns its reply without the marker, if it wrote one.
        func say(_ text: String, on number: Int, as who: GitHubClient) async throws -> String {
            let made = try await who.createComment(onIssue: number, in: repository, body: text)
            _ = try await wait("Gaffer's answer to \(text)") {
                await state.commentReactions("acme/infra", id: made.id).contains { ["rocket", "confused"].contains($0.content) } ? true : nil
            }
            let reply = try await gafferComment("reply-\(made.id)", on: number) ?? ""
            let lines = reply.replacingOccurrences(of: "\u{200B}", with: "").split(separator: "\n").dropFirst().filter { !$0.isEmpty }
            return lines.isEmpty ? "(no reply: done)" : lines.joined(separator: "\n")
        }
        func open(_ title: String, resource: String) async throws -> (issue: Int, pull: PullRequestDetails) {
            struct NewIssue: Encodable, Sendable {
                var title: String
                var labels: [String]
            }
            let issue = try await alice.send(
                "POST",
                "/repos/acme/infra/issues",
                body: NewIssue(title: title, labels: ["gaffer"]),
                as: .token,
                decoding: GitHubIssueDetails.self
            )
            step("alice opens #\(issue.number): \(title)")
            let pull = try await wait("the pull request") {
                try await alice.pullRequests(head: "gaffer/\(issue.number)-\(resource)", in: repository).first
            }
            step("Gaffer opens pull request #\(pull.number) with the agents' code")
            let conclusion = try await wait("the pipeline") {
                try await alice.checkRuns(named: "gaffer/pipeline", for: pull.head.sha, in: repository).first { $0.status == "completed" }?.conclusion
            }
            guard ["success", "neutral"].contains(conclusion) else { throw StepFailed(description: "the pipeline ended \(conclusion)") }
            step("the gaffer/pipeline check ends \(conclusion)")
            let plan = try await wait("the plan comment") { try await gafferComment("plan", on: pull.number) }
            step("Gaffer plans it: " + (plan.split(separator: "\n").first { $0.hasPrefix("**") }.map(String.init) ?? "a plan"))
            return (issue.number, pull)
        }
        func applyWithBob(_ pull: Int, expectRefusal: String) async throws {
            let refused = try await say("/apply", on: pull, as: alice)
            guard refused.contains(expectRefusal) else { throw StepFailed(description: "alice's /apply was not refused as expected: \(refused)") }
            step("alice: /apply → refused: \(expectRefusal)")
            let carolSays = try await say("/approve", on: pull, as: carol)
            guard carolSays.contains("needs write permission") else { throw StepFailed(description: "carol's /approve: \(carolSays)") }
            step("carol: /approve → refused: she may only read")
            let bobSays = try await say("/approve", on: pull, as: bob)
            step("bob: /approve → \(bobSays.split(separator: "\n").first ?? "")")
            _ = try await say("/apply", on: pull, as: alice)
            let applied = try await wait("the apply comment") { try await gafferComment("apply", on: pull) }
            guard applied.contains(": applied") else { throw StepFailed(description: "the apply did not succeed:\n\(applied)") }
            step("alice: /apply → applied")
        }

        print("The story of a bucket, played by alice (asks), carol (reads) and bob (approves):")
        let created = try await open("Create an S3 bucket named demo-logs in us-east-1", resource: "s3-bucket")
        try await applyWithBob(created.pull.number, expectRefusal: "nobody but @alice")
        guard try await S3(aws).bucketExists("demo-logs") else { throw StepFailed(description: "the bucket demo-logs is not in AWS") }
        step("AWS has the bucket demo-logs")
        _ = try await wait("the merge") { try await alice.pullRequest(created.pull.number, in: repository).merged == true ? true : nil }
        _ = try await wait("the issue to close") { try await alice.issue(created.issue, in: repository).state == "closed" ? true : nil }
        step("#\(created.pull.number) is merged and #\(created.issue) closed with a summary")

        print("\nAnd deleting it:")
        let deleted = try await open("Delete the S3 bucket named demo-logs in us-east-1", resource: "s3-bucket")
        try await applyWithBob(deleted.pull.number, expectRefusal: "it is destructive")
        let stacks = try await CloudFormation(aws, region: "us-east-1").describeStacks()
        guard !stacks.contains(where: { $0.stackName == "gaffer-s3-bucket-demo-logs" && $0.status != "DELETE_COMPLETE" }) else {
            throw StepFailed(description: "the stack gaffer-s3-bucket-demo-logs is still there")
        }
        step("AWS no longer has the stack gaffer-s3-bucket-demo-logs")
        _ = try await wait("the issue to close") { try await alice.issue(deleted.issue, in: repository).state == "closed" ? true : nil }
        step("#\(deleted.issue) is closed")
    }
}
