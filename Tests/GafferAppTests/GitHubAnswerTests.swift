import Foundation
import GafferApp
import GafferCore
import GafferGitHub
import GafferTestSupport
import Logging
import Testing

/// What the comment and issue handlers write on the GitHub sandbox, when jobs are retried or run out of order.
@Suite(.serialized) struct GitHubAnswerTests {
    let repository = RepositoryRef(owner: "acme", name: "web", installation: 42)
    let context = EventContext(deliveryID: "d-1", logger: Logger(label: "test"))

    func connection(_ sandbox: SandboxFixture, token: String? = nil, botLogin: String = "gaffer[bot]") throws -> GitHubConnection {
        let directory = FileManager.default.temporaryDirectory
        var configuration = TestConfiguration.make(directory: directory)
        configuration.githubAPIURL = sandbox.baseURL
        configuration.githubMutationGapSeconds = 0
        configuration.botLogin = botLogin
        if let token {
            configuration.githubToken = Secret(token)
        } else {
            configuration.githubAppID = "4242"
            configuration.githubPrivateKey = Secret(sandbox.appPrivateKeyPEM)
        }
        return try #require(try GitHubConnection.make(configuration))
    }

    func payload(_ event: String, _ action: String) throws -> Data {
        try Data(contentsOf: Conformance.directory().appendingPathComponent("webhooks/\(event)/\(action).payload.json"))
    }

    func installation42() throws -> GitHubInstallationReference {
        try JSONDecoder().decode(GitHubInstallationReference.self, from: Data(#"{"id": 42}"#.utf8))
    }

    func newIssue(_ sandbox: SandboxFixture, title: String, body: String = "") async throws -> (GitHubClient, GitHubIssueDetails) {
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let issue = try await sandbox.openIssue(title, body: body, as: alice)
        return (alice, issue)
    }

    func commentEvent(_ body: String, id: Int64, issue: Int) throws -> WebhookEvent {
        guard case .issueComment(var event) = try WebhookEvent.decode(name: "issue_comment", body: payload("issue_comment", "created")) else {
            throw CancellationError()
        }
        event.repository.fullName = "acme/web"
        event.installation = try installation42()
        event.issue.number = issue
        event.comment.id = id
        event.comment.body = body
        event.comment.user.login = "alice"
        return .issueComment(event)
    }

    @Test("6: a comment full of near misses, problems and /help gets one reply holding them, and a retried job edits it")
    func oneReplyPerComment() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let github = try connection(sandbox)
        let (alice, issue) = try await newIssue(sandbox, title: "Create a bucket")
        let handler = CommentCommandHandler(parser: CommandParser(botLogin: "gaffer[bot]"), github: github, runners: try CommandRunners.standard())
        let misses = (0..<40).map { "/\(["aply", "plna", "destory", "statsu"][$0 % 4]) \($0)" }
        let body = (misses + ["/help", "/help", "/apply --bogus"]).joined(separator: "\n")
        let event = try commentEvent(body, id: 9_001, issue: issue.number)
        try await handler.handle(event, context: context)
        try await handler.handle(event, context: context)  // the job, run again after a crash
        let replies = try await alice.comments(onIssue: issue.number, in: repository).filter { $0.user?.login == "gaffer[bot]" }
        #expect(replies.count == 1, "\(replies.map(\.body))")
        let reply = try #require(replies.first?.body)
        #expect(reply.contains("did you mean `/apply`?") && reply.contains("did you mean `/destroy`?"))
        #expect(reply.components(separatedBy: "Gaffer's commands").count == 2, "/help answered once")
        #expect(reply.components(separatedBy: "did you mean `/apply`?").count == 2, "the same near miss ten times is answered once")
        #expect(reply.contains("`/apply` on line 43 was not run"))
        #expect(await sandbox.state.requests.filter { $0.method == "POST" && $0.path.hasSuffix("/comments") }.count == 1)

        // An unknown flag alone is answered too, as the README promises.
        try await handler.handle(try commentEvent("/apply --bogus", id: 9_002, issue: issue.number), context: context)
        let all = try await alice.comments(onIssue: issue.number, in: repository).compactMap(\.body)
        #expect(all.contains { $0.contains("`/apply` on line 1 was not run") }, "\(all)")
    }

    @Test("7: a retried `opened` job that runs after the `edited` one writes the issue as it is now, never the older text")
    func theNewestIssueWins() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let github = try connection(sandbox)
        let (alice, issue) = try await newIssue(sandbox, title: "Create an S3 bucket named logs-archive")
        guard case .issues(var opened) = try WebhookEvent.decode(name: "issues", body: payload("issues", "opened")) else { throw CancellationError() }
        opened.repository.fullName = "acme/web"
        opened.installation = try installation42()
        opened.issue.number = issue.number
        opened.issue.title = issue.title
        opened.issue.labels = [GitHubLabel(name: "gaffer")]
        opened.sender.login = "alice"
        _ = try await alice.updateIssue(issue.number, in: repository, title: "Create an S3 bucket named logs-archive in eu-west-1")
        let handler = TaskIntakeHandler(parser: IssueParser(), github: github)
        try await handler.handle(.issues(opened), context: context)
        let status = try await alice.comments(onIssue: issue.number, in: repository).filter { $0.user?.login == "gaffer[bot]" }
        #expect(status.count == 1 && status.first?.body?.contains("Gaffer understood this issue") == true, "\(status.map(\.body))")

        // The writer itself keeps the newer of two versions, whatever order they come in.
        let writer = StatusCommentWriter(client: try await github.gitHub(), author: "gaffer[bot]")
        try await writer.write("newer", key: "order", version: "2026-12-01T10:00:05Z", issue: issue.number, in: repository)
        try await writer.write("older", key: "order", version: "2026-12-01T10:00:04Z", issue: issue.number, in: repository)
        let ordered = try await alice.comments(onIssue: issue.number, in: repository).compactMap(\.body).filter { $0.contains("key=order") }
        #expect(ordered.count == 1 && ordered.first?.hasSuffix("\nnewer") == true, "\(ordered)")
    }

    @Test("8: Gaffer edits only comments written as itself, the login GitHub gives it, whatever bot_login says")
    func onlyItsOwnComments() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let (alice, issue) = try await newIssue(sandbox, title: "Create a bucket")
        _ = await sandbox.state.addUser("mallory", token: "ghp_mallory_0123456789")
        await sandbox.state.setPermission("read", for: "mallory", in: "acme/web")
        let mallory = try await sandbox.client(.token(Secret("ghp_mallory_0123456789")))
        let planted = try await mallory.createComment(
            onIssue: issue.number,
            in: repository,
            body: "<!-- gaffer:status key=status part=1 -->\nplanted"
        )

        // With a personal token Gaffer is alice, and mallory's comment with the marker is not its own.
        let asToken = try connection(sandbox, token: SandboxFixture.aliceToken)
        #expect(try await asToken.login() == "alice")
        try await asToken.writeStatus("from gaffer", issue: issue.number, in: repository)
        let comments = try await alice.comments(onIssue: issue.number, in: repository)
        #expect(comments.first { $0.id == planted.id }?.body?.hasSuffix("\nplanted") == true)
        #expect(comments.filter { $0.user?.login == "alice" && $0.body?.hasSuffix("\nfrom gaffer") == true }.count == 1)

        // An app whose configured bot_login is wrong still finds its own comment again.
        let asApp = try connection(sandbox, botLogin: "ops-bot[bot]")
        #expect(try await asApp.login() == "gaffer[bot]")
        try await asApp.writeStatus("first", key: "app", issue: issue.number, in: repository)
        try await asApp.writeStatus("second", key: "app", issue: issue.number, in: repository)
        let app = try await alice.comments(onIssue: issue.number, in: repository).filter { $0.body?.contains("key=app") == true }
        #expect(app.count == 1 && app.first?.body?.hasSuffix("\nsecond") == true)
    }

    @Test("15.3: a command is acknowledged with 👀 and ended with 🚀, or 😕 with one reply saying who may; a bot's comment is not read")
    func commandsAreAuthorizedAndAcknowledged() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let github = try connection(sandbox)
        let (alice, issue) = try await newIssue(sandbox, title: "Create a bucket")
        await sandbox.state.addUser("mallory", token: "ghp_mallory_0123456789")
        let mallory = try await sandbox.client(.token(Secret("ghp_mallory_0123456789")))
        let handler = CommentCommandHandler(parser: CommandParser(botLogin: "gaffer[bot]"), github: github, runners: try CommandRunners.standard())
        func event(_ comment: GitHubCommentDetails, by login: String, type: String = "User") throws -> WebhookEvent {
            guard case .issueComment(var event) = try commentEvent(comment.body ?? "", id: comment.id, issue: issue.number) else {
                throw CancellationError()
            }
            event.comment.user.login = login
            event.comment.user.type = type
            return .issueComment(event)
        }
        func reactions(_ id: Int64) async -> [String] {
            await sandbox.state.commentReactions("acme/web", id: id).filter { $0.user == "gaffer[bot]" }.map(\.content)
        }
        func replies() async throws -> [String] {
            try await alice.comments(onIssue: issue.number, in: repository).filter { $0.user?.login == "gaffer[bot]" }.compactMap(\.body)
        }

        let help = try await alice.createComment(onIssue: issue.number, in: repository, body: "/help")
        try await handler.handle(try event(help, by: "alice"), context: context)
        #expect(await reactions(help.id) == ["eyes", "rocket"])

        let apply = try await mallory.createComment(onIssue: issue.number, in: repository, body: "/apply")
        try await handler.handle(try event(apply, by: "mallory"), context: context)
        #expect(await reactions(apply.id) == ["eyes", "confused"])
        let refusal = try #require(try await replies().first { $0.contains("key=reply-\(apply.id)") })
        // The reason names mallory without mentioning her again (a zero-width space after the @).
        #expect(refusal.contains("@mallory `/apply` was not run: /apply needs write permission on this repository; @\u{200B}mallory has none"))

        let before = try await replies().count
        let bot = try await alice.createComment(onIssue: issue.number, in: repository, body: "/help")
        try await handler.handle(try event(bot, by: "renovate[bot]", type: "Bot"), context: context)
        #expect(await reactions(bot.id).isEmpty)
        #expect(try await replies().count == before, "a bot's comment gets no answer")
    }

    @Test("15.3: an issue from someone who may not plan gets one status comment saying what is needed, and no work")
    func aTaskFromSomeoneWithoutPermissionIsRefused() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let github = try connection(sandbox)
        await sandbox.state.addUser("mallory", token: "ghp_mallory_0123456789")
        let (alice, issue) = try await newIssue(sandbox, title: "Create an S3 bucket named logs-archive in eu-west-1")
        guard case .issues(var opened) = try WebhookEvent.decode(name: "issues", body: payload("issues", "opened")) else { throw CancellationError() }
        opened.repository.fullName = "acme/web"
        opened.installation = try installation42()
        opened.issue.number = issue.number
        opened.sender.login = "mallory"
        let handler = TaskIntakeHandler(parser: IssueParser(), github: github)
        try await handler.handle(.issues(opened), context: context)
        let status = try await alice.comments(onIssue: issue.number, in: repository).filter { $0.user?.login == "gaffer[bot]" }
        #expect(status.count == 1)
        #expect(status.first?.body?.contains("needs triage permission on this repository (what `/plan` needs), and @mallory has none") == true)
        #expect(await sandbox.state.issueReactions("acme/web", number: issue.number).isEmpty, "not taken")
    }

    @Test("15.3: a fork's pull request to a Gaffer branch name is never run")
    func aForksPullRequestIsNotRun() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let github = try connection(sandbox)
        let directory = try TemporaryDirectory("fork")
        defer { directory.remove() }
        let configuration = TestConfiguration.make(directory: directory.url)
        let pipeline = configuration.makePullRequestPipeline(workspaces: try configuration.makeWorkspaces())
        guard case .pullRequest(var opened) = try WebhookEvent.decode(name: "pull_request", body: payload("pull_request", "opened")) else {
            throw CancellationError()
        }
        opened.repository.fullName = "acme/web"
        opened.installation = try installation42()
        opened.pullRequest.state = "open"
        opened.pullRequest.head.ref = "gaffer/1-s3-bucket"
        opened.pullRequest.head.repo = try JSONDecoder().decode(GitHubPullRequest.Repository.self, from: Data(#"{"full_name":"mallory/web"}"#.utf8))
        try await PullRequestPipelineHandler(github: github, pipeline: pipeline).handle(.pullRequest(opened), context: context)
        #expect(await sandbox.state.requests.filter { $0.path.contains("check-runs") }.isEmpty, "no check run, not even a look")
    }

    @Test("15.5: an installation gives each of its repositories the trigger label, once")
    func anInstallationMakesTheTriggerLabel() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let github = try connection(sandbox)
        let body = try payload("installation", "created")
        var object = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        var installation = try #require(object["installation"] as? [String: Any])
        installation["id"] = 42
        object["installation"] = installation
        object["repositories"] = [["id": 1, "name": "web", "full_name": "acme/web", "private": false]]
        let event = try WebhookEvent.decode(name: "installation", body: try JSONSerialization.data(withJSONObject: object))
        let handler = InstallationHandler(github: github, triggerLabel: "gaffer")
        try await handler.handle(event, context: context)
        try await handler.handle(event, context: context)  // redelivered, or the job run again
        let alice = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        let label = try await alice.send("GET", "/repos/acme/web/labels/gaffer", as: .token)
        #expect(label.status == 200)
        #expect(await sandbox.state.requests.filter { $0.method == "POST" && $0.path == "/repos/acme/web/labels" }.count == 2)
    }

    @Test("15.4: two jobs for one task at once (opened and labeled delivered together) run one after the other")
    func oneJobAtATimePerTask() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let github = try connection(sandbox)
        let directory = try TemporaryDirectory("one-at-a-time")
        defer { directory.remove() }
        let configuration = TestConfiguration.make(directory: directory.url)
        let publisher = TaskPublisher(
            coordinator: try configuration.makeCoordinator(store: InMemoryPlanStore()),
            workspaces: try configuration.makeWorkspaces()
        )
        let handler = TaskIntakeHandler(parser: IssueParser(), github: github, publisher: publisher)
        let (alice, issue) = try await newIssue(sandbox, title: "Create an S3 bucket named together-logs in eu-west-1")
        guard case .issues(var opened) = try WebhookEvent.decode(name: "issues", body: payload("issues", "opened")) else { throw CancellationError() }
        opened.repository.fullName = "acme/web"
        opened.repository.cloneUrl = "\(sandbox.baseURL.absoluteString)/acme/web.git"
        opened.repository.defaultBranch = "main"
        opened.installation = try installation42()
        opened.issue.number = issue.number
        opened.sender.login = "alice"
        let event = WebhookEvent.issues(opened)
        // GitHub is slow to open the pull request: without one job at a time, the other would not find it and open another.
        await sandbox.state.addFault(.init(method: "POST", pathPrefix: "/repos/acme/web/pulls", status: 0, delayMilliseconds: 1_000))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 { group.addTask { try await handler.handle(event, context: context) } }
            try await group.waitForAll()
        }
        #expect(
            await sandbox.state.requests.filter { $0.method == "POST" && $0.path == "/repos/acme/web/pulls" }.count == 1,
            "the second found the first's"
        )
        #expect(try await alice.pullRequests(head: "gaffer/\(issue.number)-s3-bucket", in: repository).count == 1)
        let bare = try #require(await sandbox.state.gitDirectory(of: "acme/web")).path
        #expect(try await GitCLI.run(["--git-dir", bare, "rev-list", "--count", "main..refs/heads/gaffer/\(issue.number)-s3-bucket"]) == "1")
    }

    @Test("15.3: a command limited to a team is run by its members only, as GitHub says who they are")
    func aTeamAllowlist() async throws {
        let sandbox = try await SandboxFixture()
        defer { sandbox.stop() }
        let github = try connection(sandbox)
        await sandbox.state.addUser("bob", token: "ghp_bob_0123456789")
        await sandbox.state.setPermission("write", for: "bob", in: "acme/web")
        await sandbox.state.addTeamMember("bob", to: "acme/platform")
        let (alice, issue) = try await newIssue(sandbox, title: "Create a bucket")
        let bob = try await sandbox.client(.token(Secret("ghp_bob_0123456789")))
        let handler = CommentCommandHandler(
            parser: CommandParser(botLogin: "gaffer[bot]"),
            policy: AuthorizationPolicy(allowedTeams: [.apply: ["acme/platform"]]),
            github: github,
            runners: try CommandRunners.standard()
        )
        func handle(_ comment: GitHubCommentDetails, by login: String) async throws {
            guard case .issueComment(var event) = try commentEvent(comment.body ?? "", id: comment.id, issue: issue.number) else {
                throw CancellationError()
            }
            event.comment.user.login = login
            try await handler.handle(.issueComment(event), context: context)
        }
        let byAlice = try await alice.createComment(onIssue: issue.number, in: repository, body: "/apply")
        try await handle(byAlice, by: "alice")
        let byBob = try await bob.createComment(onIssue: issue.number, in: repository, body: "/apply")
        try await handle(byBob, by: "bob")
        let replies = try await alice.comments(onIssue: issue.number, in: repository).filter { $0.user?.login == "gaffer[bot]" }.compactMap(\.body)
        #expect(replies.count == 1, "only alice is refused: \(replies)")
        #expect(
            replies.first?.contains("key=reply-\(byAlice.id)") == true
                && replies.first?.contains("/apply is limited to @\u{200B}acme/platform") == true
        )
        #expect(await sandbox.state.commentReactions("acme/web", id: byBob.id).map(\.content) == ["eyes"], "bob's /apply is taken, not refused")
    }
}
