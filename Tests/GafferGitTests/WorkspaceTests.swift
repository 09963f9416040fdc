import Foundation
import GafferCore
import GafferGit
import GafferTestSupport
import Testing

@Suite("Workspaces over file://")
struct WorkspaceTests {
    @Test("commits a file set on a new branch from main and pushes it")
    func commitAndPush() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.bareRemote()
        let base = try await bare.commit(["README.md": "hello\n", "old.txt": "bye\n"])
        var files = FileSet.sample(["infra/bucket.yml": "Resources: {}\n", "README.md": "hello\nworld\n"])
        files.write("scripts/deploy.sh", "#!/bin/sh\necho deploy\n", executable: true)
        files.delete("old.txt")

        let (commit, push) = try await fixture.publish(files, to: try GitRemote(url: bare.fileURL))

        guard case .created(let id) = commit, let push else {
            Issue.record("expected a new commit and a push, got \(commit)")
            return
        }
        #expect(push.pushed == id && push.previous == nil && push.changed)
        #expect(try await bare.tip(of: "gaffer/issue-12") == id.hex)
        #expect(try await bare.git(["rev-parse", "gaffer/issue-12^"]) == base)
        #expect(
            try await bare.files(on: "gaffer/issue-12") == [
                "README.md": "100644", "infra/bucket.yml": "100644", "scripts/deploy.sh": "100755",
            ]
        )
        #expect(try await bare.show("README.md", on: "gaffer/issue-12") == "hello\nworld")
        let message = try await bare.git(["log", "-1", "--format=%an <%ae>%n%B", "gaffer/issue-12"])
        #expect(
            message
                == "gaffer[bot] <4242+gaffer[bot]@users.noreply.github.com>\nAdd the files\n\nCo-authored-by: alice <7+alice@users.noreply.github.com>"
        )
        #expect(try await bare.tip(of: "main") == base)
    }

    @Test("the diff stat counts what the branch changes against its base")
    func diffStat() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.bareRemote()
        try await bare.commit(["a.txt": "1\n2\n3\n", "gone.txt": "x\n"])
        var files = FileSet.sample(["a.txt": "1\nTWO\n3\n4\n", "new.txt": "n\n"])
        files.delete("gone.txt")
        let stat = try await fixture.workspaces.withWorkspace(for: try GitRemote(url: bare.fileURL), job: "diff") { workspace in
            try await workspace.prepareBranch("topic", from: "main")
            try await workspace.apply(files)
            _ = try await workspace.commit(message: "change")
            return try await workspace.diffStat()
        }
        #expect(stat.files.map(\.path) == ["a.txt", "gone.txt", "new.txt"])
        #expect(stat.files.map(\.change) == [.modified, .deleted, .added])
        #expect(stat.insertions == 3 && stat.deletions == 2)
        #expect(stat.description == "3 files changed, 3 insertions(+), 2 deletions(-)")
    }

    @Test("a job that runs again with the same files makes no second commit and pushes nothing")
    func idempotent() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.seededRemote()
        let remote = try GitRemote(url: bare.fileURL)
        let files = FileSet.sample(["app.py": "print('hi')\n"])
        let (first, _) = try await fixture.publish(files, to: remote)
        let (second, push) = try await fixture.publish(files, to: remote)
        #expect(second == .unchanged(first.commit))
        #expect(push?.changed == false)
        #expect(try await bare.tip(of: "gaffer/issue-12") == first.commit?.hex)
    }

    @Test("a branch continued from its tip gets a commit on top; from the base it is replaced with force-with-lease")
    func continueOrStartOver() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.bareRemote()
        let base = try await bare.commit(["README.md": "hello\n"])
        let remote = try GitRemote(url: bare.fileURL)
        let (first, _) = try await fixture.publish(.sample(["one.txt": "1\n"]), to: remote)
        let (second, _) = try await fixture.publish(.sample(["two.txt": "2\n"]), to: remote, start: .existingBranch, push: .plain)
        #expect(try await bare.git(["rev-parse", "gaffer/issue-12^"]) == first.commit?.hex)
        #expect(Set(try await bare.files(on: "gaffer/issue-12").keys) == ["README.md", "one.txt", "two.txt"])

        let (third, push) = try await fixture.publish(.sample(["three.txt": "3\n"]), to: remote, start: .base, push: .forceWithLease)
        #expect(push?.previous == second.commit)
        #expect(try await bare.tip(of: "gaffer/issue-12") == third.commit?.hex)
        #expect(try await bare.git(["rev-parse", "gaffer/issue-12^"]) == base)
        #expect(Set(try await bare.files(on: "gaffer/issue-12").keys) == ["README.md", "three.txt"])
    }

    @Test("an empty remote gets the branch as its first commit")
    func emptyRemote() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.bareRemote()
        let (commit, push) = try await fixture.publish(.sample(["main.tf": "# hi\n"]), to: try GitRemote(url: bare.fileURL), push: .plain)
        #expect(push?.previous == nil)
        #expect(try await bare.tip(of: "gaffer/issue-12") == commit.commit?.hex)
        #expect(try await bare.git(["rev-list", "--count", "gaffer/issue-12"]) == "1")
    }

    @Test("a base branch the remote does not have is an error naming the branches it has")
    func missingBase() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.bareRemote()
        try await bare.commit(["README.md": "hello\n"], on: "trunk")
        let error = await #expect(throws: GitError.self) {
            _ = try await fixture.publish(.sample(["x": "y"]), to: try GitRemote(url: bare.fileURL))
        }
        #expect(error == .baseNotFound(remote: bare.fileURL, base: "main", branches: ["trunk"]))
        #expect(error?.description.contains("its branches are trunk") == true)
    }

    @Test("an invalid branch name is refused before anything is fetched")
    func invalidBranch() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.bareRemote()
        let error = await #expect(throws: GitError.self) {
            _ = try await fixture.publish(.sample(["x": "y"]), to: try GitRemote(url: bare.fileURL), branch: "bad..name")
        }
        #expect(error == .invalidBranchName("bad..name"))
    }

    @Test("the workspace is removed when the job ends, and the mirror is fetched, not cloned, next time")
    func workspaceLifecycle() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.seededRemote()
        let remote = try GitRemote(url: bare.fileURL)
        let directory = try await fixture.workspaces.withWorkspace(for: remote, job: "job-1") { workspace in
            try await workspace.prepareBranch("topic", from: "main")
            #expect(FileManager.default.fileExists(atPath: workspace.path + "/objects/info/alternates"))
            return workspace.path
        }
        #expect(!FileManager.default.fileExists(atPath: directory))
        let mirrors = try FileManager.default.contentsOfDirectory(atPath: fixture.workspaces.root + "/mirrors")
        #expect(mirrors.count == 1)
        // A new commit on the remote reaches the next job through a fetch into the same mirror.
        let newer = try await bare.commit(["README.md": "hello again\n"])
        let seen = try await fixture.workspaces.withWorkspace(for: remote, job: "job-2") { workspace in
            try await workspace.prepareBranch("topic", from: "main").baseCommit
        }
        #expect(seen?.hex == newer)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.workspaces.root + "/mirrors") == mirrors)
    }
}
