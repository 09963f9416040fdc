import Foundation
import GafferCore
import GafferGit
import GafferTestSupport
import Testing

@Suite("File sets that would escape the workspace or exceed the limits")
struct FileSetSafetyTests {
    static let escapes: [(String, String)] = [
        ("../outside.txt", "contains '..'"),
        ("infra/../../outside.txt", "contains '..'"),
        ("/etc/passwd", "is an absolute path"),
        (".git/config", "is inside .git"),
        ("sub/.GIT/hooks/pre-commit", "is inside .git"),
        ("a//b.txt", "empty or '.' component"),
        ("./a.txt", "empty or '.' component"),
        ("", "the path is empty"),
        ("README.md/inner.txt", "is under README.md, which is a file"),
        ("docs", "is a folder in the repository"),
        ("escape/passwd", "is under escape, a symbolic link to OUTSIDE, which points outside the repository"),
        ("inside/x.txt", "is under inside, a symbolic link to docs"),
    ]

    @Test("each refused path is named with its reason, and nothing is written, committed or pushed", arguments: escapes)
    func refusedPath(path: String, reason: String) async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.bareRemote()
        let outside = fixture.directory.url.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let base = try await bare.commit(
            ["README.md": "hello\n", "docs/index.md": "# docs\n"],
            symlinks: ["escape": outside.path, "inside": "docs"]
        )
        var files = FileSet.sample(["good.txt": "fine\n"])
        files.write(path, "bad\n")

        let error = try await fixture.workspaces.withWorkspace(for: try GitRemote(url: bare.fileURL), job: "refuse") { workspace in
            let prepared = try await workspace.prepareBranch("topic", from: "main")
            #expect(prepared.startPoint?.hex == base)
            let error = await #expect(throws: GitError.self) { try await workspace.apply(files) }
            // Not even the good file was staged, so a commit now has nothing to commit.
            #expect(try await workspace.commit(message: "x") == .unchanged(prepared.startPoint))
            return error
        }
        guard case .fileSetRefused(let problems, let count) = error else {
            Issue.record("expected fileSetRefused, got \(String(describing: error))")
            return
        }
        #expect(count == 2)
        #expect(problems.map(\.path) == [path])
        #expect(problems.first?.reason.contains(reason.replacingOccurrences(of: "OUTSIDE", with: outside.path)) == true, "\(problems)")
        #expect(error?.description.contains("nothing was written or committed") == true)
        #expect(try await bare.tip(of: "topic") == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
    }

    @Test("a file over the size limit, too many files and a path listed twice are all reported at once")
    func limits() async throws {
        let fixture = try GitFixture(limits: FileSetLimits(maxFileBytes: 1_000, maxFiles: 3))
        defer { fixture.remove() }
        let bare = try await fixture.seededRemote()
        var files = FileSet()
        files.write("big.bin", Data(repeating: 7, count: 1_001))
        files.write("a.txt", "a")
        files.write("a.txt", "again")
        files.write("ok.txt", "ok")
        let error = await #expect(throws: GitError.self) {
            _ = try await fixture.publish(files, to: try GitRemote(url: bare.fileURL))
        }
        guard case .fileSetRefused(let problems, _) = error else {
            Issue.record("expected fileSetRefused, got \(String(describing: error))")
            return
        }
        #expect(problems.map(\.path) == ["(file set)", "big.bin", "a.txt"])
        #expect(problems[0].reason.contains("has 4 changes; the limit is 3"))
        #expect(problems[1].reason.contains("1001 bytes; the limit is 1000 bytes"))
        #expect(problems[2].reason.contains("listed more than once"))
        #expect(try await bare.tip(of: "gaffer/issue-12") == nil)
    }

    @Test("writing over a symbolic link replaces the link; it never writes through it")
    func replacesFinalSymlink() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let outside = fixture.directory.url.appendingPathComponent("outside.txt")
        try Data("untouched\n".utf8).write(to: outside)
        let bare = try await fixture.bareRemote()
        try await bare.commit(["README.md": "hello\n"], symlinks: ["link.txt": outside.path])
        let (commit, _) = try await fixture.publish(.sample(["link.txt": "now a file\n"]), to: try GitRemote(url: bare.fileURL))
        #expect(commit.commit != nil)
        #expect(try String(contentsOf: outside, encoding: .utf8) == "untouched\n")
        #expect(try await bare.files(on: "gaffer/issue-12")["link.txt"] == "100644")
        #expect(try await bare.show("link.txt", on: "gaffer/issue-12") == "now a file")
    }

    @Test("deleting a directory removes everything under it")
    func deleteDirectory() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.bareRemote()
        try await bare.commit(["README.md": "hello\n", "old/a.txt": "a\n", "old/deep/b.txt": "b\n"])
        var files = FileSet()
        files.delete("old")
        files.delete("never-existed.txt")
        _ = try await fixture.publish(files, to: try GitRemote(url: bare.fileURL))
        #expect(try await bare.files(on: "gaffer/issue-12") == ["README.md": "100644"])
    }
}

@Suite("Credentials in remote URLs")
struct RemoteCredentialTests {
    @Test("17: a token goes over plain http only to this machine; elsewhere the remote is refused without showing it")
    func tokensNeverTravelInTheClear() throws {
        for url in [
            "http://x:tok_secret_1@git.example.com/a.git", "http://git.example.com/a.git", "http://127.0.0.1.example.com/a.git",
            "http://127.0.0.evil/a.git",
        ] {
            let credentials: GitCredentials = url.contains("@") ? .none : .token(Secret("tok_secret_1"))
            let error = #expect(throws: GitError.self) { try GitRemote(url: url, credentials: credentials) }
            #expect(error?.description.contains("use https") == true && error?.description.contains("tok_secret_1") == false, "\(url)")
        }
        for url in ["http://127.0.0.1:8080/a.git", "http://localhost/a.git", "http://[::1]:9/a.git", "https://git.example.com/a.git"] {
            #expect(try GitRemote(url: url, credentials: .token(Secret("t"))).url == url)
        }
        #expect(try GitRemote(url: "http://git.example.com/a.git").url == "http://git.example.com/a.git", "no token, nothing to protect")
    }

    @Test("17: an ssh:// URL with a password is refused, and the password is in no message")
    func sshPasswordsAreRefused() throws {
        let error = #expect(throws: GitError.self) { try GitRemote(url: "ssh://deploy:hunter2@git.example.com/a.git") }
        #expect(error?.description.contains("hunter2") == false)
        #expect(error?.description.contains("ssh://git.example.com/a.git") == true)
        #expect(try GitRemote(url: "ssh://deploy@git.example.com/a.git").url == "ssh://deploy@git.example.com/a.git")
    }
}
