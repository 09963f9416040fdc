import Foundation
import GafferPipeline
import GafferTestSupport
import Testing

/// Item 5 of the issue: what a build can see of the machine.
struct IsolationTests {
    func build(_ yaml: String, isolation: BuildIsolation = BuildIsolation(), in directory: TemporaryDirectory) async throws -> (BuildResult, [String])
    {
        let source = directory.url.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        let logPath = directory.url.appendingPathComponent("build.log").path
        let log = try BuildLog(path: logPath)
        let result = await BuildRunner(isolation: isolation).run(
            BuildRunner.Request(buildspec: try BuildspecLoader.parse(yaml), sourceDirectory: source.path, logPath: logPath),
            log: log
        )
        let lines = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n").map(String.init).filter {
            !$0.hasPrefix("[Container]")
        }
        return (result, lines)
    }

    @Test("the build's environment holds none of Gaffer's variables: only PATH, HOME, LANG, its own and CODEBUILD_*")
    func cleanEnvironment() async throws {
        setenv("GAFFER_WEBHOOK_SECRET", "do-not-leak-0123", 1)
        defer { unsetenv("GAFFER_WEBHOOK_SECRET") }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (result, lines) = try await build(
            "version: 0.2\nenv:\n  variables: {MINE: x}\nphases:\n  build: {commands: ['env | cut -d= -f1 | sort']}\n",
            in: directory
        )
        #expect(result.status == .succeeded)
        let names = Set(lines)
        #expect(!names.contains("GAFFER_WEBHOOK_SECRET"))
        let allowed: Set<String> = ["PATH", "HOME", "LANG", "MINE", "PWD", "SHLVL", "_", "OLDPWD"]
        #expect(names.filter { !$0.hasPrefix("CODEBUILD_") && !allowed.contains($0) }.isEmpty, "\(names.sorted())")
    }

    @Test("a configured user runs the build", .enabled(if: getuid() == 0, "needs root to change user"))
    func runAsUser() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (result, lines) = try await build(
            "version: 0.2\nphases:\n  build: {commands: ['id -un', 'echo \"$HOME\"']}\n",
            isolation: BuildIsolation(user: "nobody"),
            in: directory
        )
        #expect(result.status == .succeeded)
        #expect(lines == ["nobody", "/nonexistent"])
    }

    @Test(
        "inside bubblewrap the build sees its workspace and nothing of Gaffer's",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap"))
    )
    func bubblewrap() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let secret = directory.url.appendingPathComponent("gaffer-data.txt")
        try Data("secret".utf8).write(to: secret)
        let (result, lines) = try await build(
            """
            version: 0.2
            phases:
              build:
                commands:
                  - echo made > inside.txt
                  - test ! -e \(secret.path) && echo "no data"
                  - test ! -e /etc/shadow && echo "no shadow"
                  - echo "pid $$"
                  - touch /tmp/scratch && echo "tmp ok"
                  - sleep 30 &
            """,
            isolation: BuildIsolation(bubblewrap: true),
            in: directory
        )
        #expect(result.status == .succeeded, "\(lines)")
        #expect(lines.contains("no data") && lines.contains("no shadow") && lines.contains("tmp ok"))
        #expect(lines.contains { $0.hasPrefix("pid ") && (Int($0.dropFirst(4)) ?? 999) < 10 }, "its own PID namespace: \(lines)")
        #expect(try String(contentsOf: directory.url.appendingPathComponent("src/inside.txt"), encoding: .utf8) == "made\n")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/scratch"))
    }
}
