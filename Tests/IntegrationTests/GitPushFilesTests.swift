import Foundation
import GafferTestSupport
import Testing

/// `gaffer git push-files` as an operator runs it, against smart HTTP behind nginx.
struct GitPushFilesTests {
    static let token = "ghs_PushFilesToken_0123456789abcdef"

    func run(
        _ arguments: [String],
        in directory: TemporaryDirectory,
        token: String = GitPushFilesTests.token
    ) async throws -> (status: Int32, output: String) {
        let process = try GafferProcess(
            arguments: ["git", "push-files"] + arguments,
            environment: ["GAFFER_DATA_DIR": directory.url.appendingPathComponent("data").path, "PUSH_TOKEN": token]
        )
        defer { process.stop() }
        let status = try await process.waitForExit()
        return (status, process.output)
    }

    @Test("pushes a directory with a token from the environment; a wrong token fails clearly and leaks nothing")
    func pushFiles() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let remotes = directory.url.appendingPathComponent("remotes")
        try FileManager.default.createDirectory(at: remotes, withIntermediateDirectories: true)
        let bare = try await BareRemote.create(in: remotes, name: "infra")
        try await bare.commit(["README.md": "infra\n"])
        let server = try await SmartHTTPGitServer.start(serving: remotes, username: "x-access-token", password: Self.token)
        defer { server.stop() }
        let files = directory.url.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: files.appendingPathComponent("stacks"), withIntermediateDirectories: true)
        try Data("Resources: {}\n".utf8).write(to: files.appendingPathComponent("stacks/bucket.yml"))
        let common = [
            "--remote", server.url("infra"), "--branch", "gaffer/issue-3", "--message", "Add the bucket stack",
            "--token-env", "PUSH_TOKEN", "--co-author", "Alice <7+alice@users.noreply.github.com>", files.path,
        ]

        let pushed = try await run(common, in: directory)
        #expect(pushed.status == 0, "\(pushed.output)")
        #expect(pushed.output.contains("pushed gaffer/issue-3 to \(server.url("infra")) (new branch at "))
        #expect(pushed.output.contains("1 file changed, 1 insertion(+)"))
        #expect(try await bare.show("stacks/bucket.yml", on: "gaffer/issue-3") == "Resources: {}")
        #expect(
            try await bare.git(["log", "-1", "--format=%B", "gaffer/issue-3"]).contains("Co-authored-by: Alice <7+alice@users.noreply.github.com>")
        )

        let again = try await run(common, in: directory)
        #expect(again.status == 0 && again.output.contains("up to date"), "\(again.output)")

        let wrong = "ghs_WrongPushFilesToken_987654321"
        try Data("changed\n".utf8).write(to: files.appendingPathComponent("stacks/bucket.yml"))
        let refused = try await run(common, in: directory, token: wrong)
        #expect(refused.status == 1)
        #expect(refused.output.contains("authentication failed for \(server.url("infra"))"), "\(refused.output)")
        for secret in [Self.token, wrong] {
            #expect(!refused.output.contains(secret) && !pushed.output.contains(secret))
            #expect(try RemoteSecrets.filesContaining(secret, under: directory.url.appendingPathComponent("data")).isEmpty)
        }
    }

    @Test("over ssh:// with a key and a pinned host key; an unknown host key is refused with its fingerprint")
    func pushFilesOverSSH() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bare = try await BareRemote.create(in: directory.url, name: "ops")
        try await bare.commit(["README.md": "ops\n"])
        let server = try await SSHGitServer.start()
        defer { server.stop() }
        let files = directory.url.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        try Data("steps: []\n".utf8).write(to: files.appendingPathComponent("deploy.yml"))
        let common = ["--remote", server.url(bare.path), "--branch", "ops", "--message", "Deploy", "--ssh-key", server.clientKey]

        let unknown = try await run(common + ["--ssh-host-key", "SHA256:notTheServersKeyAtAll0123456789abcdefghijk", files.path], in: directory)
        #expect(unknown.status == 1 && unknown.output.contains("its SSH host key (\(server.hostKeyFingerprint))"), "\(unknown.output)")
        #expect(try await bare.tip(of: "ops") == nil)

        let pushed = try await run(common + ["--ssh-host-key", server.hostKeyFingerprint, files.path], in: directory)
        #expect(pushed.status == 0, "\(pushed.output)")
        #expect(try await bare.show("deploy.yml", on: "ops") == "steps: []")
    }

    @Test("bad input exits 2 with what is wrong: a symbolic link in the directory, a missing token variable, a bad branch")
    func badInput() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bare = try await BareRemote.create(in: directory.url, name: "infra")
        let files = directory.url.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: files.appendingPathComponent("link").path, withDestinationPath: "/etc/passwd")
        let link = try await run(["--remote", bare.fileURL, "--branch", "b", "--message", "m", files.path], in: directory)
        #expect(link.status == 2 && link.output.contains("link: it is a symbolic link or special file"), "\(link.output)")

        try FileManager.default.removeItem(atPath: files.appendingPathComponent("link").path)
        try Data("x\n".utf8).write(to: files.appendingPathComponent("x.txt"))
        let noToken = try await run(
            ["--remote", bare.fileURL, "--branch", "b", "--message", "m", "--token-env", "NOT_SET_ANYWHERE", files.path],
            in: directory
        )
        #expect(noToken.status == 2 && noToken.output.contains("NOT_SET_ANYWHERE (--token-env) is not set"), "\(noToken.output)")

        let badBranch = try await run(["--remote", bare.fileURL, "--branch", "a..b", "--message", "m", files.path], in: directory)
        #expect(badBranch.status == 2 && badBranch.output.contains("'a..b' is not a valid branch name"), "\(badBranch.output)")
        #expect(try await bare.git(["for-each-ref"]).isEmpty)
    }
}
