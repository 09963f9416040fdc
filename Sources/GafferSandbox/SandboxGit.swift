import Foundation
import GafferProcess

/// The `git` command line on a sandbox repository's bare directory, so pull
/// requests and refs point at real commits. (Gaffer itself uses libgit2; the
/// sandbox stands in for GitHub's servers, which run git.)
enum SandboxGit {
    /// Runs git in `directory` and returns its standard output, trimmed.
    @discardableResult
    static func run(_ arguments: [String], in directory: URL, input: String? = nil) throws -> String {
        let outcome = try git(["--git-dir", directory.path] + arguments, input: input)
        guard outcome.status == 0 else {
            throw SandboxError(422, "git \(arguments.first ?? ""): \(outcome.errorText.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return outcome.outputText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func git(_ arguments: [String], input: String? = nil) throws -> Program.Outcome {
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("GIT_") { environment[key] = nil }
        environment["GIT_AUTHOR_NAME"] = "GitHub Sandbox"
        environment["GIT_AUTHOR_EMAIL"] = "sandbox@github.example.com"
        environment["GIT_COMMITTER_NAME"] = "GitHub Sandbox"
        environment["GIT_COMMITTER_EMAIL"] = "sandbox@github.example.com"
        do {
            return try Program.run(["git"] + arguments, environment: environment, input: input.map { Data($0.utf8) })
        } catch {
            throw SandboxError(500, "git could not be started: \(error)")
        }
    }

    /// A bare repository with one empty commit on `main`.
    static func create(at directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard try git(["init", "--quiet", "--bare", "--initial-branch=main", directory.path]).status == 0 else {
            throw SandboxError(500, "git init failed in \(directory.path)")
        }
        let tree = try run(["mktree"], in: directory, input: "")
        let commit = try run(["commit-tree", tree, "-m", "Initial commit"], in: directory)
        try run(["update-ref", "refs/heads/main", commit], in: directory)
    }

    /// A file's bytes and blob id at `ref`, or nil when the path is not a file there.
    static func file(_ path: String, at ref: String, in directory: URL) -> (data: Data, blob: String)? {
        guard let blob = try? run(["rev-parse", "--verify", "--quiet", "\(ref):\(path)"], in: directory),
            (try? run(["cat-file", "-t", blob], in: directory)) == "blob",
            let outcome = try? git(["--git-dir", directory.path, "cat-file", "blob", blob]), outcome.status == 0
        else { return nil }
        return (outcome.output, blob)
    }

    /// The commit a ref points at, or nil when there is no such ref.
    static func resolve(_ ref: String, in directory: URL) -> String? {
        try? run(["rev-parse", "--verify", "--quiet", "\(ref)^{commit}"], in: directory)
    }
}
