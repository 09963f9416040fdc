import Foundation
import GafferCore
import GafferGitHub
import GafferTestSupport
import Testing

struct CommentSplitterTests {
    func fencesBalance(_ part: String) -> Bool {
        var open: String?
        for line in part.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop(while: { $0 == " " })
            guard trimmed.hasPrefix("```") else { continue }
            if open == nil { open = String(trimmed) } else if trimmed.allSatisfy({ $0 == "`" }) { open = nil }
        }
        return open == nil
    }

    @Test func longTextIsSplitWithinTheLimitWithFencesClosedAndReopened() {
        let log = (1...4_000).map { "step \($0): ok 🦆 \(String(repeating: "x", count: 20))" }.joined(separator: "\n")
        let text = "## Plan\n\n```text\n\(log)\n```\n\nDone."
        let parts = CommentSplitter.split(text, limit: 20_000)
        #expect(parts.count >= 6)
        for part in parts {
            #expect(part.unicodeScalars.count <= 20_000)
            #expect(fencesBalance(part), "a part leaves a fence open")
        }
        #expect(parts.dropFirst().first?.hasPrefix("```text\n") == true, "the next part reopens the fence with its info string")
        // Nothing is lost: without the added fence lines, the parts are the text.
        let rejoined = parts.enumerated().map { index, part -> String in
            var lines = part.split(separator: "\n", omittingEmptySubsequences: false)
            if index > 0 { lines.removeFirst() }
            if index < parts.count - 1 { lines.removeLast() }
            return lines.joined(separator: "\n")
        }.joined()
        #expect(rejoined.replacingOccurrences(of: "\n", with: "") == text.replacingOccurrences(of: "\n", with: ""))
        #expect(CommentSplitter.split("short") == ["short"])
    }

    @Test func aLineLongerThanTheLimitIsCutBetweenCharacters() {
        let emoji = String(repeating: "👩‍👩‍👧‍👦", count: 3_000)
        let parts = CommentSplitter.split(emoji, limit: 10_000)
        #expect(parts.count > 1)
        #expect(parts.allSatisfy { $0.unicodeScalars.count <= 10_000 })
        #expect(parts.joined() == emoji, "no family was split apart")
    }

    @Test func checkRunTextIsCutWithAPointerToTheLog() {
        let text = String(repeating: "é", count: 70_000)
        let cut = CommentSplitter.checkRunText(text, fullLog: "https://gaffer.example.com/jobs/1/log")
        #expect(cut.unicodeScalars.count <= 65_535)
        #expect(cut.hasSuffix("the full log is at https://gaffer.example.com/jobs/1/log"))
        #expect(CommentSplitter.checkRunText("short", fullLog: "x") == "short")
    }
}

@Suite(.serialized) struct StatusCommentTests {
    let repository = RepositoryRef(owner: "acme", name: "web", installation: 42)

    func setUp() async throws -> (SandboxFixture, GitHubClient, Int) {
        let sandbox = try await SandboxFixture()
        let person = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        struct NewIssue: Encodable, Sendable { var title: String }
        let issue = try await person.send(
            "POST",
            "/repos/acme/web/issues",
            body: NewIssue(title: "Create bucket"),
            as: .token,
            decoding: GitHubIssueDetails.self
        )
        let app = try await sandbox.client(.app(id: "4242", privateKeyPEM: Secret(sandbox.appPrivateKeyPEM)))
        return (sandbox, app, issue.number)
    }

    @Test func theStatusCommentIsEditedInPlace() async throws {
        let (sandbox, app, number) = try await setUp()
        defer { sandbox.stop() }
        let writer = StatusCommentWriter(client: app, author: "gaffer[bot]")
        let first = try await writer.write("Planning…", issue: number, in: repository)
        let second = try await writer.write("Planned.", issue: number, in: repository)
        #expect(first.map(\.id) == second.map(\.id))
        let all = try await app.comments(onIssue: number, in: repository)
        #expect(all.count == 1 && all.first?.body?.hasSuffix("\nPlanned.") == true)
        // Writing the same text again sends no update.
        let before = await sandbox.state.requests.count
        try await writer.write("Planned.", issue: number, in: repository)
        #expect(await sandbox.state.requests.filter { $0.method == "PATCH" }.count == 1)
        #expect(await sandbox.state.requests.count == before + 1, "only the listing")
    }

    @Test func longStatusGoesIntoPartsAndShrinksBack() async throws {
        let (sandbox, app, number) = try await setUp()
        defer { sandbox.stop() }
        let writer = StatusCommentWriter(client: app, author: "gaffer[bot]")
        let long = (1...6_000).map { "line \($0) of the plan output" }.joined(separator: "\n")
        let parts = try await writer.write("```\n\(long)\n```", issue: number, in: repository)
        #expect(parts.count >= 3)
        #expect(parts.allSatisfy { ($0.body ?? "").unicodeScalars.count <= 65_536 })
        try await writer.write("All applied.", issue: number, in: repository)
        let left = try await app.comments(onIssue: number, in: repository)
        #expect(left.count == 1 && left.first?.id == parts.first?.id)
    }

    @Test func twoWritersRacingLeaveOneComment() async throws {
        let (sandbox, app, number) = try await setUp()
        defer { sandbox.stop() }
        let other = try await sandbox.client(.app(id: "4242", privateKeyPEM: Secret(sandbox.appPrivateKeyPEM)))
        async let a = StatusCommentWriter(client: app, author: "gaffer[bot]").write("from worker A", issue: number, in: repository)
        async let b = StatusCommentWriter(client: other, author: "gaffer[bot]").write("from worker B", issue: number, in: repository)
        _ = try await (a, b)
        let left = try await app.comments(onIssue: number, in: repository)
        #expect(left.count == 1, "\(left.map(\.body))")
        // A person's comment with the marker is not taken for Gaffer's.
        let person = try await sandbox.client(.token(Secret(SandboxFixture.aliceToken)))
        _ = try await person.createComment(
            onIssue: number,
            in: RepositoryRef(owner: "acme", name: "web"),
            body: "<!-- gaffer:status key=status part=1 -->\nfake"
        )
        try await StatusCommentWriter(client: app, author: "gaffer[bot]").write("again", issue: number, in: repository)
        #expect(try await app.comments(onIssue: number, in: repository).count == 2)
    }
}
