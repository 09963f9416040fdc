import Foundation
import GafferApp
import GafferCore
import GafferGitHub
import GafferTestSupport
import Logging
import Testing

/// The whole path on 127.0.0.1: a person opens an issue on the GitHub sandbox,
/// the sandbox sends the signed webhook to Gaffer, a worker reads the issue and
/// answers in the issue's status comment; an edit updates that comment; a near
/// miss of a command gets "did you mean".
struct GitHubFlowTests {
    /// Gaffer's server and workers against the sandbox, its webhooks pointed at Gaffer.
    struct RunningGaffer {
        let server: GafferServer
        let running: RunningService
        let directory: TemporaryDirectory
        /// Where Gaffer's HTTP listens.
        let port: Int

        /// - Parameter directory: the data of a Gaffer stopped with `stopKeepingData`, to start again on; nil: a new one.
        init(_ sandbox: SandboxFixture, directory: TemporaryDirectory? = nil, configure: (inout GafferConfiguration) -> Void = { _ in }) async throws
        {
            self.directory = try directory ?? TemporaryDirectory()
            var configuration = TestConfiguration.make(directory: self.directory.url, workers: 2)
            configuration.githubAPIURL = sandbox.baseURL
            configuration.githubAppID = "4242"
            configuration.githubPrivateKey = Secret(sandbox.appPrivateKeyPEM)
            configuration.githubMutationGapSeconds = 0
            configuration.githubCatchUpMinutes = 0
            configure(&configuration)
            server = try await GafferServer(configuration: configuration, logger: Logger(label: "test"))
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            running = RunningService(server.makeApplication { continuation.yield($0) })
            var port = 0
            for await found in ports {
                port = found
                break
            }
            self.port = port
            await sandbox.webhooks.configure(
                url: URL(string: "http://127.0.0.1:\(port)/webhooks/github"),
                secret: TestConfiguration.webhookSecret.revealed
            )
        }

        func stop() {
            running.stop()
            directory.remove()
        }

        /// Stops Gaffer and leaves its data for another to start on (an operator's restart with a new configuration).
        func stopKeepingData() async {
            await running.stopAndWait()
        }

        /// Waits until every job Gaffer has queued has finished.
        func settle() async throws {
            // As long as the other waits here: under the whole suite, checkov alone can take most of a minute.
            try await waitUntil(timeout: .seconds(120), "Gaffer's jobs to finish") {
                let counts = try await server.store.countsByState()
                // A job the emergency stop parked waits for the resume, not for the test.
                let parked = try await server.store.jobs(state: .queued, limit: 10_000).filter(\.isParked).count
                return (counts[.queued] ?? 0) - parked + (counts[.running] ?? 0) == 0
            }
        }
    }

    @Test func anIssueWithProblemsIsAnsweredInItsStatusCommentAndANearMissGetsDidYouMean() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let gaffer = try await RunningGaffer(sandbox)
        defer { gaffer.stop() }
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let repository = RepositoryRef(owner: "acme", name: "web")
        let issue = try await sandbox.openIssue("Create an S3 bucket named logs-archive", body: "versioning: true", as: alice)
        func botComments() async throws -> [GitHubCommentDetails] {
            try await alice.comments(onIssue: issue.number, in: repository).filter { $0.user?.login == "gaffer[bot]" }
        }
        try await waitUntil(timeout: .seconds(20), "the status comment with the problem") {
            try await botComments().first?.body?.contains("`region`") == true
        }
        let first = try #require(try await botComments().first)
        #expect(first.body?.contains("Gaffer cannot act on this issue yet") == true)
        try await gaffer.settle()
        #expect(
            try await alice.pullRequests(head: "gaffer/\(issue.number)-s3-bucket", in: repository).isEmpty,
            "no pull request for a task with problems"
        )

        _ = try await alice.createComment(onIssue: issue.number, in: repository, body: "/aply")
        try await waitUntil(timeout: .seconds(20), "did you mean") {
            try await botComments().contains { $0.body?.contains("did you mean `/apply`?") == true }
        }
        #expect(try await botComments().count == 2)
    }

    @Test func anIssueBecomesOnePullRequestOfTheAgentsFilesAndAnEditMovesItForward() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let gaffer = try await RunningGaffer(sandbox)
        defer { gaffer.stop() }
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let repository = RepositoryRef(owner: "acme", name: "web")
        let issue = try await sandbox.openIssue("Create an S3 bucket named logs-archive in eu-west-1", body: "versioning: true", as: alice)
        let branch = "gaffer/\(issue.number)-s3-bucket"
        func botComments() async throws -> [GitHubCommentDetails] {
            try await alice.comments(onIssue: issue.number, in: repository).filter { $0.user?.login == "gaffer[bot]" }
        }
        try await waitUntil(timeout: .seconds(90), "the status comment to link the pull request") {
            try await botComments().first?.body?.contains("pull request #") == true
        }
        try await gaffer.settle()
        let pulls = try await alice.pullRequests(head: branch, in: repository)
        #expect(pulls.count == 1)
        let pull = try #require(pulls.first)
        #expect(pull.state == "open" && pull.base.ref == "main")
        #expect(pull.title == "Create S3 bucket logs-archive (#\(issue.number))")
        let body = try #require(pull.body)
        #expect(body.contains("Closes #\(issue.number)"))
        let status = try #require(try await botComments().first?.body)
        #expect(status.contains("#\(pull.number)") && status.contains(branch))
        #expect(try await botComments().count == 1)
        #expect(await sandbox.state.issueReactions("acme/web", number: issue.number).contains { $0 == ("eyes", "gaffer[bot]") })

        // The branch holds exactly the agents' files, committed by the bot with the requester as co-author.
        let bare = try #require(await sandbox.state.gitDirectory(of: "acme/web")).path
        let files = try await GitCLI.run(["--git-dir", bare, "ls-tree", "-r", "--name-only", "refs/heads/\(branch)"]).split(separator: "\n")
        let folder = "infra/gaffer-s3-bucket-logs-archive/"
        #expect(Set(files.map(String.init)) == Set(["template.yaml", "buildspec.yml", "README.md"].map { folder + $0 }))
        for file in files { #expect(body.contains("`\(file)`")) }
        let template = try await GitCLI.run(["--git-dir", bare, "show", "refs/heads/\(branch):\(folder)template.yaml"])
        #expect(template.contains("AWS::S3::Bucket") && template.contains("Status: Enabled"))
        let message = try await GitCLI.run(["--git-dir", bare, "log", "-1", "--format=%an <%ae>%n%B", "refs/heads/\(branch)"])
        #expect(message.hasPrefix("gaffer[bot] <"))
        #expect(message.contains("Co-authored-by: alice <"))
        let first = try await GitCLI.run(["--git-dir", bare, "rev-parse", "refs/heads/\(branch)"])

        // The pipeline ran on the head commit and passed: cfn-lint on the stack's templates.
        let app = try await sandbox.client(.app(id: "4242", privateKeyPEM: Secret(sandbox.appPrivateKeyPEM)))
        let installed = RepositoryRef(owner: "acme", name: "web", installation: 42)
        try await waitUntil(timeout: .seconds(120), "the pipeline's check run to complete") {
            try await app.checkRuns(named: "gaffer/pipeline", for: first, in: installed).first?.status == "completed"
        }
        let check = try #require(try await app.checkRuns(named: "gaffer/pipeline", for: first, in: installed).first)
        #expect(check.conclusion == "success", "\(String(describing: check.output))")
        #expect(check.output?.summary?.contains("`infra/gaffer-s3-bucket-logs-archive/buildspec.yml`") == true)
        #expect(check.output?.text?.contains("cfn-lint --format parseable") == true)
        try await gaffer.settle()

        // "Re-run" on the check runs the pipeline again, as a new run of the same commit.
        try await alice.send("POST", "/repos/acme/web/check-runs/\(check.id)/rerequest", as: .token)
        try await waitUntil(timeout: .seconds(120), "the re-run to complete") {
            let runs = try await app.checkRuns(named: "gaffer/pipeline", for: first, in: installed)
            return runs.count == 2 && runs.allSatisfy { $0.status == "completed" }
        }
        #expect(try await app.checkRuns(named: "gaffer/pipeline", for: first, in: installed).map(\.conclusion) == ["success", "success"])
        try await gaffer.settle()

        // Every delivery of the story so far, sent again twice, all at once: nothing on GitHub changes.
        let story = await sandbox.webhooks.deliveries
        let writes = await sandbox.state.requests.filter { $0.method != "GET" }.count
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                for delivery in story { group.addTask { _ = await sandbox.webhooks.redeliver(id: delivery.id) } }
            }
        }
        try await gaffer.settle()
        #expect(story.count >= 6, "issue opened, labeled, push, pull request opened, check runs: \(story.map(\.event))")
        #expect(await sandbox.state.requests.filter { $0.method != "GET" }.count == writes, "not one write to GitHub")
        #expect(try await GitCLI.run(["--git-dir", bare, "rev-parse", "refs/heads/\(branch)"]) == first)
        #expect(try await alice.pullRequests(head: branch, in: repository).count == 1)
        #expect(try await botComments().count == 1)

        // An edit plans again onto the same branch: one more commit, the same pull request.
        _ = try await alice.updateIssue(issue.number, in: repository, body: "versioning: false")
        try await waitUntil(timeout: .seconds(90), "a second commit on the branch") {
            try await GitCLI.run(["--git-dir", bare, "rev-parse", "refs/heads/\(branch)"]) != first
        }
        try await gaffer.settle()
        #expect(try await GitCLI.run(["--git-dir", bare, "rev-parse", "refs/heads/\(branch)~1"]) == first)
        let edited = try await GitCLI.run(["--git-dir", bare, "show", "refs/heads/\(branch):\(folder)template.yaml"])
        #expect(!edited.contains("Status: Enabled"))
        let after = try await alice.pullRequests(head: branch, in: repository)
        #expect(after.map(\.number) == [pull.number])
        #expect(try await botComments().count == 1)
        let second = try await GitCLI.run(["--git-dir", bare, "rev-parse", "refs/heads/\(branch)"])
        try await waitUntil(timeout: .seconds(120), "the new commit's check run to complete") {
            try await app.checkRuns(named: "gaffer/pipeline", for: second, in: installed).first?.status == "completed"
        }
        #expect(try await app.checkRuns(named: "gaffer/pipeline", for: second, in: installed).map(\.conclusion) == ["success"])
        #expect(try await app.checkRuns(named: "gaffer/pipeline", for: first, in: installed).count == 2, "one run per commit, and the re-run")

        // Closing the issue closes the pull request and deletes the branch.
        _ = try await alice.updateIssue(issue.number, in: repository, state: "closed")
        try await waitUntil(timeout: .seconds(90), "the pull request to close") {
            try await alice.pullRequest(pull.number, in: repository).state == "closed"
        }
        try await gaffer.settle()
        #expect(try await GitCLI.run(["--git-dir", bare, "branch", "--list", branch]).isEmpty)
        let closing = try await botComments()
        #expect(closing.count == 1 && closing.first?.body?.contains("Gaffer closed #\(pull.number)") == true)
    }

    @Test func aPushThatBreaksTheTemplateGetsARedCheckAnnotatedAtTheLine() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        // checkov as scripts/setup installs it, so the check carries its findings too.
        let checkov = (ProcessInfo.processInfo.environment["GAFFER_CHECKOV_VENV"] ?? "/opt/gaffer-checkov") + "/bin/checkov"
        #expect(FileManager.default.isExecutableFile(atPath: checkov), "checkov is not installed at \(checkov): run scripts/setup")
        let gaffer = try await RunningGaffer(sandbox) { $0.pipelineCheckov = checkov }
        defer { gaffer.stop() }
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let repository = RepositoryRef(owner: "acme", name: "web")
        let installed = RepositoryRef(owner: "acme", name: "web", installation: 42)
        let app = try await sandbox.client(.app(id: "4242", privateKeyPEM: Secret(sandbox.appPrivateKeyPEM)))
        let issue = try await sandbox.openIssue("Create an S3 bucket named logs-archive in eu-west-1", as: alice)
        let branch = "gaffer/\(issue.number)-s3-bucket"
        try await waitUntil(timeout: .seconds(90), "the pull request") { try await !alice.pullRequests(head: branch, in: repository).isEmpty }
        try await gaffer.settle()

        // Alice breaks the template on Gaffer's branch: a property S3 does not have, on a line of its own.
        let folder = try TemporaryDirectory("flow-push")
        defer { folder.remove() }
        let work = folder.url.appendingPathComponent("web").path
        let remote = "http://x-access-token:\(SandboxFixture.aliceToken)@127.0.0.1:\(sandbox.port)/acme/web.git"
        try await GitCLI.run(["clone", "--quiet", "--branch", branch, remote, work])
        let path = "infra/gaffer-s3-bucket-logs-archive/template.yaml"
        var lines = try String(contentsOfFile: work + "/" + path, encoding: .utf8).components(separatedBy: "\n")
        let properties = try #require(lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == "Properties:" })
        let indent = String(lines[properties].prefix { $0 == " " }) + "  "
        lines.insert(indent + "NotAProperty: true", at: properties + 1)
        // And opens the bucket to the public, which the security agent's rules flag at their line.
        lines = lines.map { $0.replacingOccurrences(of: "BlockPublicAcls: true", with: "BlockPublicAcls: false") }
        let publicBlock = try #require(lines.firstIndex { $0.contains("PublicAccessBlockConfiguration:") }) + 1
        try lines.joined(separator: "\n").write(toFile: work + "/" + path, atomically: true, encoding: .utf8)
        try await GitCLI.run(["commit", "--quiet", "-am", "Try a property"], in: work)
        try await GitCLI.run(["push", "--quiet", "origin", branch], in: work)
        let head = try await GitCLI.run(["rev-parse", "HEAD"], in: work)

        try await waitUntil(timeout: .seconds(120), "the red check on alice's commit") {
            try await app.checkRuns(named: "gaffer/pipeline", for: head, in: installed).first?.status == "completed"
        }
        let check = try #require(try await app.checkRuns(named: "gaffer/pipeline", for: head, in: installed).first)
        #expect(check.conclusion == "failure")
        let annotations = try await app.checkRunAnnotations(check.id, in: installed)
        #expect(
            annotations.contains { $0.path == path && $0.startLine == properties + 2 && $0.annotationLevel == "failure" },
            "\(annotations)"
        )
        #expect(
            annotations.contains {
                $0.path == path && $0.startLine == publicBlock && $0.annotationLevel == "warning" && $0.title?.contains("GAFFER-S3-PUBLIC") == true
            },
            "\(annotations)"
        )
        #expect(annotations.contains { $0.path == path && $0.title == "checkov CKV_AWS_53" && $0.annotationLevel == "warning" }, "\(annotations)")

        // A slow build, then a newer push: the slow one is stopped and says so; the newer one reports.
        let buildspec = "infra/gaffer-s3-bucket-logs-archive/buildspec.yml"
        let original = try String(contentsOfFile: work + "/" + buildspec, encoding: .utf8)
        try original.replacingOccurrences(of: "  build:\n    commands:\n", with: "  build:\n    commands:\n      - sleep 120\n")
            .write(toFile: work + "/" + buildspec, atomically: true, encoding: .utf8)
        try await GitCLI.run(["commit", "--quiet", "-am", "A slow build"], in: work)
        try await GitCLI.run(["push", "--quiet", "origin", branch], in: work)
        let slow = try await GitCLI.run(["rev-parse", "HEAD"], in: work)
        try await waitUntil(timeout: .seconds(60), "the slow build to start") {
            try await app.checkRuns(named: "gaffer/pipeline", for: slow, in: installed).first?.status == "in_progress"
        }
        try original.write(toFile: work + "/" + buildspec, atomically: true, encoding: .utf8)
        try await GitCLI.run(["commit", "--quiet", "-am", "Not so slow"], in: work)
        try await GitCLI.run(["push", "--quiet", "origin", branch], in: work)
        let newer = try await GitCLI.run(["rev-parse", "HEAD"], in: work)
        let stopping = ContinuousClock.now
        try await waitUntil(timeout: .seconds(60), "the slow build to be stopped") {
            try await app.checkRuns(named: "gaffer/pipeline", for: slow, in: installed).first?.status == "completed"
        }
        #expect(ContinuousClock.now - stopping < .seconds(60), "stopped, not run to its end")
        let stopped = try #require(try await app.checkRuns(named: "gaffer/pipeline", for: slow, in: installed).first)
        #expect(stopped.conclusion == "cancelled" && stopped.output?.summary?.contains(String(newer.prefix(12))) == true, "\(stopped)")
        try await waitUntil(timeout: .seconds(120), "the newer commit's check") {
            try await app.checkRuns(named: "gaffer/pipeline", for: newer, in: installed).first?.status == "completed"
        }
        #expect(
            try await app.checkRuns(named: "gaffer/pipeline", for: newer, in: installed).first?.conclusion == "failure",
            "the bad property is still there"
        )
    }

    @Test func aTaskWaitsForTheIssuesItDependsOnAndIsTakenUpWhenTheyClose() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let gaffer = try await RunningGaffer(sandbox)
        defer { gaffer.stop() }
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let repository = RepositoryRef(owner: "acme", name: "web")
        let network = try await sandbox.openIssue("Set up the network", labels: [], as: alice)
        let table = try await sandbox.openIssue(
            "Create a DynamoDB table named orders in us-east-1",
            body: "partitionKey: id\nDepends on #\(network.number)",
            as: alice
        )
        func status() async throws -> String? {
            try await alice.comments(onIssue: table.number, in: repository).first { $0.user?.login == "gaffer[bot]" }?.body
        }
        try await waitUntil(timeout: .seconds(90), "the task to say it waits") {
            try await status()?.contains("Waiting for #\(network.number)") == true
        }
        try await gaffer.settle()
        let branch = "gaffer/\(table.number)-dynamodb-table"
        #expect(try await alice.pullRequests(head: branch, in: repository).isEmpty, "no pull request while it waits")

        _ = try await alice.updateIssue(network.number, in: repository, state: "closed")
        try await waitUntil(timeout: .seconds(90), "the pull request once the dependency closed") {
            try await !alice.pullRequests(head: branch, in: repository).isEmpty
        }
        try await gaffer.settle()
        #expect(try await status()?.contains("pull request #") == true)

        // Merged by a person: the branch goes, and the status says so.
        let pull = try #require(try await alice.pullRequests(head: branch, in: repository).first)
        try await alice.send("PUT", "/repos/acme/web/pulls/\(pull.number)/merge", as: .token)
        try await waitUntil(timeout: .seconds(90), "the status to say merged") { try await status()?.contains("### Merged") == true }
        let bare = try #require(await sandbox.state.gitDirectory(of: "acme/web")).path
        #expect(try await GitCLI.run(["--git-dir", bare, "branch", "--list", branch]).isEmpty)
    }

    @Test(arguments: [
        ("Create an S3 bucket named team-logs in us-east-1", "", "s3-bucket"),
        ("Create a DynamoDB table named orders in us-east-1", "partitionKey: id", "dynamodb-table"),
        ("Create a Lambda function named resize-images in us-east-1", "runtime: python3.12\nhandler: app.handler", "lambda-function"),
        ("Deploy a serverless-api application called orders in us-east-1", "", "app-serverless-api"),
    ])
    func eachResourceBecomesOnePullRequestWithAGreenCheck(_ title: String, _ body: String, _ kind: String) async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let gaffer = try await RunningGaffer(sandbox)
        defer { gaffer.stop() }
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let repository = RepositoryRef(owner: "acme", name: "web")
        let issue = try await sandbox.openIssue(title, body: body, as: alice)
        let branch = "gaffer/\(issue.number)-\(kind)"
        try await waitUntil(timeout: .seconds(90), "the pull request") { try await !alice.pullRequests(head: branch, in: repository).isEmpty }
        let pull = try #require(try await alice.pullRequests(head: branch, in: repository).first)
        // An application's check installs its dependencies from the package index, as CodeBuild
        // would: a minute on a quiet machine, several while other tests do the same.
        try await waitUntil(timeout: .seconds(kind.hasPrefix("app-") ? 420 : 120), "the check") {
            try await alice.checkRuns(named: "gaffer/pipeline", for: pull.head.sha, in: repository).first?.status == "completed"
        }
        try await gaffer.settle()
        let check = try #require(try await alice.checkRuns(named: "gaffer/pipeline", for: pull.head.sha, in: repository).first)
        #expect(check.conclusion == "success", "\(String(describing: check.output?.text))")
        if kind.hasPrefix("app-") {
            // The application's own tests ran in the check, and it says how many passed.
            #expect(
                check.output?.summary?.contains("every phase succeeded; 2 of 2 tests passed") == true,
                "\(String(describing: check.output?.summary))"
            )
        }
        #expect(try await alice.pullRequests(head: branch, in: repository).count == 1)
        let bare = try #require(await sandbox.state.gitDirectory(of: "acme/web")).path
        let files = try await GitCLI.run(["--git-dir", bare, "ls-tree", "-r", "--name-only", "refs/heads/\(branch)"]).split(separator: "\n")
        #expect(files.contains { $0.hasSuffix("/template.yaml") } && files.contains { $0.hasSuffix("/buildspec.yml") })
        for file in files { #expect(pull.body?.contains("`\(file)`") == true) }
    }
}
