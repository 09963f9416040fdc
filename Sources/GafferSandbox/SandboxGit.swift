import Foundation

/// The `git` command line on a sandbox repository's bare directory, so pull
/// requests and refs point at real commits. (Gaffer itself uses libgit2; the
/// sandbox stands in for GitHub's servers, which run git.)
enum SandboxGit {
    /// Runs git in `directory` and returns its standard output, trimmed.
    @discardableResult
    static func run(_ arguments: [String], in directory: URL, input: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "--git-dir", directory.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("GIT_") { environment[key] = nil }
        environment["GIT_AUTHOR_NAME"] = "GitHub Sandbox"
        environment["GIT_AUTHOR_EMAIL"] = "sandbox@github.example.com"
        environment["GIT_COMMITTER_NAME"] = "GitHub Sandbox"
        environment["GIT_COMMITTER_EMAIL"] = "sandbox@github.example.com"
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        do {
            try process.run()
        } catch {
            throw SandboxError(500, "git could not be started: \(error)")
        }
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        let text = output.fileHandleForReading.readDataToEndOfFile()
        let problem = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SandboxError(422, "git \(arguments.first ?? ""): \(String(decoding: problem, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A bare repository with one empty commit on `main`.
    static func create(at directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "init", "--quiet", "--bare", "--initial-branch=main", directory.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw SandboxError(500, "git init failed in \(directory.path)") }
        let tree = try run(["mktree"], in: directory, input: "")
        let commit = try run(["commit-tree", tree, "-m", "Initial commit"], in: directory)
        try run(["update-ref", "refs/heads/main", commit], in: directory)
    }

    /// The commit a ref points at, or nil when there is no such ref.
    static func resolve(_ ref: String, in directory: URL) -> String? {
        try? run(["rev-parse", "--verify", "--quiet", "\(ref)^{commit}"], in: directory)
    }
}
