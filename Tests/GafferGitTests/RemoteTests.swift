import Foundation
import GafferCore
import GafferGit
import GafferTestSupport
import Logging
import Testing

@Suite("Pushing to real remotes: git daemon and smart HTTP behind nginx")
struct RemoteTests {
    static let token = "ghs_TestToken0123456789abcdefABCDEF"

    /// nginx serving the fixture's remotes to `x-access-token` with `token`.
    static func tokenServer(_ fixture: GitFixture) async throws -> SmartHTTPGitServer {
        try await SmartHTTPGitServer.start(serving: fixture.remotes, username: GitCredentials.tokenUser, password: token)
    }

    @Test("git:// through git daemon")
    func gitDaemon() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.bareRemote("service")
        let base = try await bare.commit(["README.md": "hello\n"])
        let daemon = try await GitDaemon.start(serving: fixture.remotes)
        defer { daemon.stop() }
        let (commit, push) = try await fixture.publish(.sample(["app.py": "print(1)\n"]), to: try GitRemote(url: daemon.url("service")))
        #expect(push?.pushed == commit.commit)
        #expect(try await bare.tip(of: "gaffer/issue-12") == commit.commit?.hex)
        #expect(try await bare.git(["rev-parse", "gaffer/issue-12^"]) == base)
    }

    @Test("smart HTTP with a token: pushed, and the token is in no file, error or log line")
    func smartHTTP() async throws {
        let lines = Locked<[String]>([])
        let fixture = try GitFixture(logger: RecordingLogHandler.logger(lines))
        defer { fixture.remove() }
        let bare = try await fixture.seededRemote("web")
        let server = try await Self.tokenServer(fixture)
        defer { server.stop() }
        let remote = try GitRemote(url: server.url("web"), credentials: .token(Secret(Self.token)))

        let (commit, push) = try await fixture.publish(.sample(["index.html": "<h1>hi</h1>\n"]), to: remote)
        #expect(push?.changed == true)
        #expect(try await bare.tip(of: "gaffer/issue-12") == commit.commit?.hex)
        #expect(server.accessLog.contains("x-access-token"))

        // A wrong token: a clear error, asked for once, and the token is nowhere in it.
        let wrong = "ghs_WrongToken_abcdef0123456789"
        let refused = try GitRemote(url: server.url("web"), credentials: .token(Secret(wrong)))
        let refusedBefore = server.accessLog.split(separator: "\n").filter { $0.contains(" 401 ") }.count
        let error = await #expect(throws: GitError.self) {
            _ = try await fixture.publish(.sample(["x.txt": "x\n"]), to: refused, branch: "other")
        }
        #expect(error == .authenticationFailed(remote: server.url("web"), hadCredentials: true))
        #expect(error?.description.hasPrefix("authentication failed for \(server.url("web"))") == true)
        // One request without credentials, one with the wrong token, then Gaffer stops libgit2 asking again.
        let refusedNow = server.accessLog.split(separator: "\n").filter { $0.contains(" 401 ") }.count - refusedBefore
        #expect(refusedNow == 2, "libgit2 kept asking: \(refusedNow) refused requests")

        for secret in [Self.token, wrong] {
            #expect(try RemoteSecrets.filesContaining(secret, under: fixture.directory.url).isEmpty)
            #expect(!(error?.description.contains(secret) ?? true))
            #expect(!lines.value.joined(separator: "\n").contains(secret))
        }
        #expect(lines.value.contains { $0.contains("pushed") && $0.contains(server.url("web")) })
    }

    @Test("a token written into the URL is used as the credential, not kept in it")
    func tokenInURL() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.seededRemote("web")
        let server = try await SmartHTTPGitServer.start(serving: fixture.remotes, username: "deploy", password: Self.token)
        defer { server.stop() }
        let remote = try GitRemote(url: server.url("web").replacingOccurrences(of: "http://", with: "http://deploy:\(Self.token)@"))
        #expect(remote.url == server.url("web"))
        #expect(remote.credentials == .token(Secret(Self.token), username: "deploy"))
        let (commit, _) = try await fixture.publish(.sample(["a.txt": "a\n"]), to: remote)
        #expect(try await bare.tip(of: "gaffer/issue-12") == commit.commit?.hex)
        #expect(try RemoteSecrets.filesContaining(Self.token, under: fixture.directory.url).isEmpty)
    }

    @Test("no token where the server asks for one: a clear error that says how to give one")
    func missingToken() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.seededRemote("web")
        let server = try await SmartHTTPGitServer.start(serving: fixture.remotes, username: "u", password: "p")
        defer { server.stop() }
        let error = await #expect(throws: GitError.self) {
            _ = try await fixture.publish(.sample(["a.txt": "a\n"]), to: try GitRemote(url: server.url("web")))
        }
        #expect(error == .authenticationFailed(remote: server.url("web"), hadCredentials: false))
        #expect(error?.description.contains("--token-env") == true)
    }

    // Over git:// and HTTP, where the server runs receive-pack; libgit2 pushes to file:// by writing the
    // repository directly, so no hook runs there.
    @Test("a push a pre-receive hook rejects is an error with the hook's reason, though libgit2 reports success")
    func preReceiveRejects() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.seededRemote("web")
        try await bare.installHook("pre-receive", script: "#!/bin/sh\necho 'policy: branches named gaffer/* need a ticket'\nexit 1\n")
        let server = try await Self.tokenServer(fixture)
        defer { server.stop() }
        let daemon = try await GitDaemon.start(serving: fixture.remotes)
        defer { daemon.stop() }
        for url in [daemon.url("web"), server.url("web")] {
            let remote = try GitRemote(url: url, credentials: .token(Secret(Self.token)))
            let error = await #expect(throws: GitError.self) {
                _ = try await fixture.publish(.sample(["a.txt": "a\n"]), to: remote)
            }
            guard case .pushRejected(let shown, let ref, let reason, let output) = error else {
                Issue.record("expected pushRejected from \(url), got \(String(describing: error))")
                continue
            }
            #expect(shown == url && ref == "refs/heads/gaffer/issue-12")
            #expect(reason.contains("pre-receive hook declined"))
            #expect(output.contains("policy: branches named gaffer/* need a ticket"))
            #expect(try await bare.tip(of: "gaffer/issue-12") == nil)
        }
    }

    @Test("a plain push that is not a fast-forward, and a force-with-lease over someone else's push, are both refused")
    func nonFastForwardAndLease() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.seededRemote("web")
        let server = try await Self.tokenServer(fixture)
        defer { server.stop() }
        let remote = try GitRemote(url: server.url("web"), credentials: .token(Secret(Self.token)))
        _ = try await fixture.publish(.sample(["a.txt": "a\n"]), to: remote)

        // Someone pushes to the branch while the next job is between fetch and push.
        let (plainError, leaseError, theirs) = try await fixture.workspaces.withWorkspace(for: remote, job: "race") { workspace in
            try await workspace.prepareBranch("gaffer/issue-12", from: "main", start: .base)
            try await workspace.apply(.sample(["b.txt": "b\n"]))
            _ = try await workspace.commit(message: "second try")
            let theirs = try await bare.commit(["human.txt": "mine\n"], on: "gaffer/issue-12", message: "a person's fix")
            let plain = await #expect(throws: GitError.self) { _ = try await workspace.push(.plain) }
            let lease = await #expect(throws: GitError.self) { _ = try await workspace.push(.forceWithLease) }
            return (plain, lease, theirs)
        }
        #expect(plainError == .nonFastForward(remote: server.url("web"), branch: "gaffer/issue-12"))
        guard case .leaseBroken(_, let branch, _, let found) = leaseError else {
            Issue.record("expected leaseBroken, got \(String(describing: leaseError))")
            return
        }
        #expect(branch == "gaffer/issue-12" && found?.hex == theirs)
        #expect(try await bare.tip(of: "gaffer/issue-12") == theirs)
    }

    @Test("jobs on different repositories run at once; two jobs on one repository take turns")
    func concurrency() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let daemon = try await GitDaemon.start(serving: fixture.remotes)
        defer { daemon.stop() }
        let names = (0..<6).map { "repo\($0)" }
        var bares: [String: BareRemote] = [:]
        for name in names {
            let bare = try await fixture.bareRemote(name)
            try await bare.commit(["README.md": "\(name)\n"])
            bares[name] = bare
        }
        let inside = Locked(0)
        let mostInside = Locked(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for name in names {
                group.addTask {
                    let remote = try GitRemote(url: daemon.url(name))
                    _ = try await fixture.workspaces.withWorkspace(for: remote, job: name) { workspace in
                        let now = inside.update {
                            $0 += 1
                            return $0
                        }
                        mostInside.update { $0 = max($0, now) }
                        defer { inside.update { $0 -= 1 } }
                        try await workspace.prepareBranch("gaffer/\(name)", from: "main")
                        try await workspace.apply(.sample(["\(name).txt": "\(name)\n"]))
                        _ = try await workspace.commit(message: name)
                        return try await workspace.push()
                    }
                }
            }
            try await group.waitForAll()
        }
        for name in names {
            #expect(try await bares[name]?.show("\(name).txt", on: "gaffer/\(name)") == name)
        }
        #expect(mostInside.value > 1, "jobs on different repositories should overlap")

        // Two jobs on one repository: the second starts only when the first has finished.
        let events = Locked<[String]>([])
        let remote = try GitRemote(url: daemon.url("repo0"))
        let firstInside = Locked(false)
        async let first: Void = fixture.workspaces.withWorkspace(for: remote, job: "first") { _ in
            events.update { $0.append("first in") }
            firstInside.update { $0 = true }
            try await waitUntil("the second job to queue") { events.value.contains("second queued") }
            try await Task.sleep(for: .milliseconds(100))  // give a wrongly admitted second job time to show itself
            events.update { $0.append("first out") }
        }
        try await waitUntil("the first job to start") { firstInside.value }
        events.update { $0.append("second queued") }
        try await fixture.workspaces.withWorkspace(for: remote, job: "second") { _ in
            events.update { $0.append("second in") }
        }
        try await first
        #expect(events.value == ["first in", "second queued", "first out", "second in"])
    }

    @Test("a workspace left by a job that never finished is removed")
    func staleWorkspaces() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.seededRemote("web")
        let remote = try GitRemote(url: bare.fileURL)
        // A crashed job leaves its folder behind.
        let directory = try await fixture.workspaces.withWorkspace(for: remote, job: "crashed") { workspace in
            workspace.path
        }
        try FileManager.default.createDirectory(atPath: directory + "/leftover", withIntermediateDirectories: true)
        // A repository is skipped while anyone holds its lock (for an instant, so may a process another
        // test is spawning, until its exec closes the copy of the lock file it was born with): poll.
        var removed = 0
        try await waitUntil("the stale workspace to be removed") {
            removed += try await fixture.workspaces.removeStaleWorkspaces()
            return !FileManager.default.fileExists(atPath: directory)
        }
        #expect(removed == 1)
    }
}
