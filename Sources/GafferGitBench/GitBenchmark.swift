import ArgumentParser
import Foundation
import GafferCore
import GafferGit

/// `gaffer-git-bench`: commit and push N generated files of about 2 KB, three
/// ways in one run: the git command line (init, write, add -A, commit, branch,
/// push), GafferGit in process (files in memory, as an agent hands them over),
/// and the `gaffer git push-files` command (files read from a directory).
/// Each push goes to a fresh, empty bare repository; every round starts cold.
@main
struct GitBenchmark: AsyncParsableCommand {
    @Option(help: "File counts to measure.")
    var files: [Int] = [100, 1_000]

    @Option(help: "Rounds per file count; the median is reported.")
    var rounds: Int = 7

    @Option(help: "The gaffer binary for the push-files figure (release build).")
    var gaffer: String = ".build/release/gaffer"

    @Option(help: "Where the repositories are made.")
    var under: String = "bench/tmp"

    func run() async throws {
        let root = URL(fileURLWithPath: under).appendingPathComponent("git-\(UUID().uuidString)").standardizedFileURL
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        for count in files {
            let fileSet = Self.generate(count)
            let source = root.appendingPathComponent("source-\(count)")
            try Self.writeOut(fileSet, to: source)
            var cli: [Double] = [], library: [Double] = [], command: [Double] = []
            for round in 0..<rounds {
                let name = "\(count)-\(round)"
                cli.append(try await Self.timed { try Self.commandLine(fileSet, root: root, name: name) })
                try Self.check(root.appendingPathComponent("cli-\(name).git"), count)
                library.append(try await Self.timed { try await Self.gafferGit(fileSet, root: root, name: name) })
                try Self.check(root.appendingPathComponent("lib-\(name).git"), count)
                command.append(try await Self.timed { try Self.pushFiles(gaffer, source: source, root: root, name: name) })
                try Self.check(root.appendingPathComponent("cmd-\(name).git"), count)
            }
            let result: [String: Any] = [
                "benchmark": "git-push", "files": count, "bytes_per_file": 2_048, "rounds": rounds,
                "cli_ms": Self.median(cli), "library_ms": Self.median(library), "command_ms": Self.median(command),
                "library_ratio": Self.median(library) / Self.median(cli), "command_ratio": Self.median(command) / Self.median(cli),
            ]
            let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            print(String(decoding: json, as: UTF8.self))
        }
    }

    /// N files of 2,048 bytes, ten to a folder, each different.
    static func generate(_ count: Int) -> FileSet {
        var set = FileSet()
        for index in 0..<count {
            let line = "resource_\(index): value \(index * 7919 % 10_007) generated for the git benchmark\n"
            var text = String(repeating: line, count: 2_048 / line.utf8.count + 1)
            text = String(text.utf8.prefix(2_047)) ?? text
            set.write("stack\(index / 10)/file\(index).yml", text + "\n")
        }
        return set
    }

    static func writeOut(_ set: FileSet, to directory: URL) throws {
        for case .write(let path, let contents, _) in set.changes {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: url)
        }
    }

    static func commandLine(_ set: FileSet, root: URL, name: String) throws {
        let bare = root.appendingPathComponent("cli-\(name).git").path
        let work = root.appendingPathComponent("cli-\(name)").path
        try git(["init", "-q", "--bare", bare])
        try git(["init", "-q", "-b", "main", work])
        try writeOut(set, to: URL(fileURLWithPath: work))
        try git(["-C", work, "add", "-A"])
        try git(["-C", work, "commit", "-q", "-m", "Add the files"])
        try git(["-C", work, "branch", "gaffer/bench"])
        try git(["-C", work, "push", "-q", "file://" + bare, "gaffer/bench"])
    }

    static func gafferGit(_ set: FileSet, root: URL, name: String) async throws {
        let bare = root.appendingPathComponent("lib-\(name).git").path
        try git(["init", "-q", "--bare", bare])
        let workspaces = try GitWorkspaces(
            root: root.appendingPathComponent("cache-\(name)").path,
            settings: .init(identity: try GitIdentity(name: "gaffer[bot]", email: "gaffer[bot]@users.noreply.github.com"))
        )
        _ = try await workspaces.withWorkspace(for: try GitRemote(url: "file://" + bare), job: name) { workspace in
            try await workspace.prepareBranch("gaffer/bench", from: "main")
            try await workspace.apply(set)
            _ = try await workspace.commit(message: "Add the files")
            return try await workspace.push(.forceWithLease)
        }
    }

    static func pushFiles(_ gaffer: String, source: URL, root: URL, name: String) throws {
        let bare = root.appendingPathComponent("cmd-\(name).git").path
        try git(["init", "-q", "--bare", bare])
        try run(
            gaffer,
            ["git", "push-files", "--remote", "file://" + bare, "--branch", "gaffer/bench", "--message", "Add the files", source.path],
            environment: ["GAFFER_DATA_DIR": root.appendingPathComponent("data-\(name)").path, "GAFFER_LOG_LEVEL": "warning"]
        )
    }

    /// The pushed branch must hold every file, or the figure means nothing.
    static func check(_ bare: URL, _ count: Int) throws {
        let listing = try run("/usr/bin/git", ["--git-dir", bare.path, "ls-tree", "-r", "--name-only", "gaffer/bench"])
        let pushed = listing.split(separator: "\n").count
        guard pushed == count else { throw ValidationError("\(bare.path) has \(pushed) files, expected \(count)") }
    }

    static func git(_ arguments: [String]) throws {
        try run(
            "/usr/bin/git",
            arguments,
            environment: [
                "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
                "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
            ]
        )
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(executable) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func timed(_ body: () async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        try await body()
        let elapsed = start.duration(to: .now)
        return Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return (sorted[sorted.count / 2] * 10).rounded() / 10
    }
}
