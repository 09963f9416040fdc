import Foundation
import GafferCore
import GafferGitHub
import GafferTestSupport
import Testing

/// `gaffer demo` as a newcomer runs it: one command, then the helpers from another shell,
/// then what GitHub shows; SIGTERM stops everything it started.
@Suite(.serialized) struct DemoTests {
    struct Info: Decodable {
        var github_api: String
        var gaffer: String
        var aws_endpoint: String
        var repository: String
        var users: [String: String]
    }

    @Test func theDemoTurnsAnIssueIntoACheckedPullRequestAndStopsAllItStarted() async throws {
        let folder = try TemporaryDirectory("demo")
        defer { folder.remove() }
        let stateFile = folder.url.appendingPathComponent("demo.json").path
        let demo = try GafferProcess(
            arguments: ["demo", "--json", "--state-file", stateFile, "--data", folder.url.appendingPathComponent("data").path],
            environment: [:]
        )
        defer { demo.stop() }
        var line: Substring?
        try await waitUntil(timeout: .seconds(60), "the demo's JSON line") {
            if !demo.isRunning { throw GafferProcess.Exited(output: demo.output) }
            line = demo.output.split(separator: "\n").first { $0.hasPrefix("{") }
            return line != nil
        }
        let info = try JSONDecoder().decode(Info.self, from: Data((line ?? "").utf8))
        #expect(info.repository == "acme/infra")
        #expect(Set(info.users.keys) == ["alice", "bob", "carol", "mallory"])
        let aws = try #require(URLComponents(string: info.aws_endpoint)?.port)
        #expect(isListening(port: aws), "moto_server answers")

        // From another shell: alice asks for a bucket.
        let binary = try GafferProcess.binary().path
        let opened = try await runCommand(
            binary,
            ["demo", "issue", "--state-file", stateFile, "--as", "alice", "--title", "Create an S3 bucket named demo-logs in us-east-1"]
        )
        #expect(opened.contains("opened acme/infra#1 as alice"))

        let alice = try await GitHubClient(
            settings: GitHubClient.Settings(baseURL: try #require(URL(string: info.github_api))),
            credentials: .token(Secret(try #require(info.users["alice"])))
        )
        let repository = RepositoryRef(owner: "acme", name: "infra")
        try await waitUntil(timeout: .seconds(60), "the pull request") {
            try await !alice.pullRequests(head: "gaffer/1-s3-bucket", in: repository).isEmpty
        }
        let pull = try #require(try await alice.pullRequests(head: "gaffer/1-s3-bucket", in: repository).first)
        try await waitUntil(timeout: .seconds(120), "the green check") {
            try await alice.checkRuns(named: "gaffer/pipeline", for: pull.head.sha, in: repository).first?.conclusion == "success"
        }
        let commented = try await runCommand(binary, ["demo", "comment", "--state-file", stateFile, "--as", "bob", "1", "/help"])
        #expect(commented.contains("commented on acme/infra#1 as bob"))
        try await waitUntil(timeout: .seconds(30), "the /help reply") {
            try await alice.comments(onIssue: 1, in: repository).contains { $0.body?.contains("### Gaffer's commands") == true }
        }

        // A person the demo does not have gets a clear answer.
        let stranger = await #expect(throws: CommandFailed.self) {
            try await runCommand(binary, ["demo", "issue", "--state-file", stateFile, "--as", "eve", "--title", "x"])
        }
        #expect(stranger?.output.contains("alice, bob, carol, mallory") == true)

        demo.signal(SIGTERM)
        #expect(try await demo.waitForExit() == 0, "\(demo.output)")
        try await waitUntil(timeout: .seconds(10), "moto_server to stop") { !isListening(port: aws) }
        #expect(!FileManager.default.fileExists(atPath: stateFile), "the state file goes with the demo")
    }

    @Test func theScriptedDemoPlaysTheWholeStoryAndStops() async throws {
        let folder = try TemporaryDirectory("demo-script")
        defer { folder.remove() }
        let demo = try GafferProcess(
            arguments: ["demo", "--script", "--state-file", folder.url.appendingPathComponent("demo.json").path],
            environment: [:]
        )
        defer { demo.stop() }
        #expect(try await demo.waitForExit(timeout: .seconds(240)) == 0, "\(demo.output)")
        let lines = demo.output.split(separator: "\n").map(String.init)
        let story = [
            "alice opens #1: Create an S3 bucket named demo-logs", "Gaffer opens pull request #2", "the gaffer/pipeline check ends success",
            "Gaffer plans it: **2 to add", "alice: /apply → refused: nobody but @alice", "carol: /approve → refused",
            "bob: /approve → @bob approved", "alice: /apply → applied", "AWS has the bucket demo-logs", "#2 is merged and #1 closed",
            "alice opens #3: Delete the S3 bucket named demo-logs", "Gaffer plans it: **This plan deletes**",
            "alice: /apply → refused: it is destructive",
            "AWS no longer has the stack gaffer-s3-bucket-demo-logs", "#3 is closed",
        ]
        var position = 0
        for step in story {
            let found = lines[position...].firstIndex { $0.contains(step) }
            #expect(found != nil, "\(step) in order, in:\n\(demo.output)")
            position = (found ?? position) + 1
        }
        #expect(lines.filter { $0.contains(" s)  ") }.count == 20, "a duration on each of the 20 steps:\n\(demo.output)")
    }
}
