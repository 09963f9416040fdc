import Foundation
import GafferPipeline
import GafferTestSupport
import Testing

/// One test per rule of BUILDSPEC.md, each running real commands in a real shell.
struct BuildRunnerTests {
    struct Run {
        let result: BuildResult
        let log: String
        var phaseStatuses: [String] { result.phases.map { "\($0.name.rawValue):\($0.status.rawValue)" } }
    }

    func build(
        _ yaml: String,
        start: [String: String] = [:],
        project: [String: String] = [:],
        resolver: StaticParameterResolver = StaticParameterResolver(),
        timeout: Duration = .seconds(60),
        grace: Duration = .seconds(5),
        artifacts: String? = nil
    ) async throws -> Run {
        let directory = try TemporaryDirectory("gaffer-build")
        defer { directory.remove() }
        let source = directory.url.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        var request = BuildRunner.Request(
            buildspec: try BuildspecLoader.parse(yaml),
            sourceDirectory: source.path,
            logPath: directory.url.appendingPathComponent("build.log").path
        )
        request.startVariables = start
        request.projectVariables = project
        request.timeout = timeout
        request.killGrace = grace
        request.resolvedSourceVersion = "0123456789abcdef0123456789abcdef01234567"
        request.sourceVersion = "pr/12"
        request.artifactsDirectory = artifacts
        let log = try BuildLog(path: request.logPath)
        let result = await BuildRunner(resolver: resolver).run(request, log: log)
        return Run(result: result, log: try String(contentsOfFile: request.logPath, encoding: .utf8))
    }

    /// The lines the build itself printed (not the runner's `[Container]` lines).
    func output(_ run: Run) -> [String] {
        run.log.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("[Container]") }
    }

    @Test("6: in 0.2 cd, export and shell variables carry over between commands and phases")
    func oneShell() async throws {
        let run = try await build(
            """
            version: 0.2
            phases:
              install:
                commands:
                  - mkdir -p sub && cd sub
                  - export EXPORTED=yes; PLAIN=kept
              build:
                commands:
                  - echo "dir=$(basename "$PWD") exported=$EXPORTED plain=$PLAIN"
            """
        )
        #expect(run.result.status == .succeeded)
        #expect(output(run) == ["dir=sub exported=yes plain=kept"])
    }

    @Test("2: version 0.1 runs every command in a fresh shell")
    func version01() async throws {
        let run = try await build(
            "version: 0.1\nphases:\n  build:\n    commands:\n      - cd / && export A=1\n      - echo \"dir=$(basename \"$PWD\") a=${A:-unset}\"\n"
        )
        #expect(output(run) == ["dir=src a=unset"])
    }

    @Test("3: phases run in their order, whatever order the file lists them in")
    func phaseOrder() async throws {
        let run = try await build(
            """
            version: 0.2
            phases:
              post_build: {commands: [echo post]}
              build: {commands: [echo build]}
              pre_build: {commands: [echo pre]}
              install: {commands: [echo install]}
            """
        )
        #expect(output(run) == ["install", "pre", "build", "post"])
        #expect(run.result.phases.map(\.name) == [.install, .preBuild, .build, .postBuild])
    }

    @Test("7: only a multi-line command's last status counts, unless it uses set -e or &&")
    func multiLineStatus() async throws {
        let lastOnly = try await build("version: 0.2\nphases:\n  build:\n    commands:\n      - |\n        false\n        true\n")
        #expect(lastOnly.result.status == .succeeded)
        let andAnd = try await build("version: 0.2\nphases:\n  build:\n    commands:\n      - false && true\n")
        #expect(andAnd.result.status == .failed && andAnd.result.phases.first?.exitStatus == 1)
        // set -e ends the shell at `false`: the command fails, and the build goes on in a new shell in the same directory.
        let setE = try await build(
            """
            version: 0.2
            phases:
              build:
                commands:
                  - mkdir -p deep && cd deep && export KEEP=1
                  - |
                    set -e
                    false
                    echo not reached
                finally:
                  - echo "finally in $(basename "$PWD") keep=$KEEP"
            """
        )
        #expect(setE.result.phases.first?.status == .failed && setE.result.phases.first?.exitStatus == 1)
        #expect(output(setE) == ["finally in deep keep=1"])
        let exit = try await build("version: 0.2\nphases:\n  build:\n    commands:\n      - exit 3\n    finally:\n      - echo after\n")
        #expect(exit.result.phases.first?.exitStatus == 3)
        #expect(output(exit) == ["after"], "\(exit.log)")
    }

    @Test("8: the first failing command ends the phase's commands; finally still runs and can fail the phase")
    func finallyRuns() async throws {
        let run = try await build(
            """
            version: 0.2
            phases:
              build:
                commands: [echo one, "false", echo never]
                finally: [echo cleanup]
            """
        )
        #expect(output(run) == ["one", "cleanup"])
        #expect(run.result.phases.first?.failedCommand == "false")
        let failingFinally = try await build("version: 0.2\nphases:\n  build:\n    commands: [echo ok]\n    finally: [exit 4]\n")
        #expect(failingFinally.result.status == .failed && failingFinally.result.phases.first?.exitStatus == 4)
    }

    @Test("9: a failed install skips the rest; a failed pre_build skips build and post_build")
    func skips() async throws {
        let phases = "  pre_build: {commands: [echo pre]}\n  build: {commands: [echo build]}\n  post_build: {commands: [echo post]}\n"
        let install = try await build("version: 0.2\nphases:\n  install: {commands: ['false']}\n" + phases)
        #expect(install.phaseStatuses == ["install:failed", "pre_build:skipped", "build:skipped", "post_build:skipped"])
        let pre = try await build(
            "version: 0.2\nphases:\n  pre_build: {commands: ['false']}\n  build: {commands: [echo build]}\n  post_build: {commands: [echo post]}\n"
        )
        #expect(pre.phaseStatuses == ["pre_build:failed", "build:skipped", "post_build:skipped"])
        #expect(output(pre).isEmpty)
    }

    @Test("10: post_build runs after a failed build, with CODEBUILD_BUILD_SUCCEEDING=0")
    func postBuildAfterFailure() async throws {
        let run = try await build(
            """
            version: 0.2
            phases:
              build: {commands: ['echo "during=$CODEBUILD_BUILD_SUCCEEDING"', 'false']}
              post_build: {commands: ['echo "after=$CODEBUILD_BUILD_SUCCEEDING"']}
            """
        )
        #expect(output(run) == ["during=1", "after=0"])
        #expect(run.phaseStatuses == ["build:failed", "post_build:succeeded"])
        #expect(run.result.status == .failed)
        #expect(run.result.reason == "build: command did not exit successfully: false exit status 1")
    }

    @Test("11: on-failure CONTINUE goes on to the next phase; RETRY runs the phase again")
    func onFailure() async throws {
        let continued = try await build(
            """
            version: 0.2
            phases:
              install: {on-failure: CONTINUE, commands: ['false']}
              build: {commands: [echo built]}
            """
        )
        #expect(continued.phaseStatuses == ["install:failed", "build:succeeded"] && continued.result.status == .failed)
        #expect(output(continued) == ["built"])
        let retried = try await build(
            """
            version: 0.2
            phases:
              build:
                on-failure: RETRY-2
                commands: ['echo try; test -f marker-2 || { [ -f marker-1 ] && touch marker-2 || touch marker-1; false; }']
            """
        )
        #expect(retried.result.status == .succeeded && retried.result.phases.first?.attempts == 3)
        let patterned = try await build(
            "version: 0.2\nphases:\n  build:\n    on-failure: RETRY-5-flaky\n    commands: ['echo solid failure; false']\n"
        )
        #expect(patterned.result.phases.first?.attempts == 1)
    }

    @Test("12: at the timeout the whole process group is killed, even what ignores SIGTERM, and the build fails as timed out")
    func timeout() async throws {
        let tag = "gaffer-timeout-\(UUID().uuidString.prefix(8))"
        let started = ContinuousClock.now
        let run = try await build(
            """
            version: 0.2
            phases:
              build:
                commands:
                  - sh -c 'trap "" TERM; exec -a \(tag) sleep 1000' &
                  - sleep 1000
              post_build: {commands: [echo never]}
            """,
            timeout: .milliseconds(700),
            grace: .milliseconds(300)
        )
        #expect(run.result.status == .timedOut && run.result.reason?.hasPrefix("timed out") == true)
        // Not a speed figure: a generous bound that fails only if the timeout never fired (sleep 1000).
        #expect(started.duration(to: .now) < .seconds(120))
        #expect(run.phaseStatuses == ["build:failed", "post_build:skipped"])
        try await waitUntil(timeout: .seconds(5), "the build's processes to end") {
            (try? await runCommand("/usr/bin/pgrep", ["-f", tag])) == nil
        }
    }

    @Test("13: variables are verbatim, CODEBUILD_ names are refused, and start beats project beats buildspec")
    func variables() async throws {
        let run = try await build(
            """
            version: 0.2
            env:
              variables:
                LITERAL: "$PATH:/x"
                LEVEL: buildspec
                ONLY_FILE: file
            phases:
              build: {commands: ['echo "$LITERAL|$LEVEL|$ONLY_FILE|$PROJECT_ONLY"']}
            """,
            start: ["LEVEL": "start"],
            project: ["LEVEL": "project", "PROJECT_ONLY": "p"]
        )
        #expect(output(run) == ["$PATH:/x|start|file|p"])
    }

    @Test("14: parameter-store and secrets-manager values reach the build and are masked in every log line")
    func secretsAreMasked() async throws {
        let resolver = StaticParameterResolver(
            parameters: ["/ci/db-password": "hunter2-db-pass"],
            secrets: ["ci": #"{"token": "tok_9f8e7d6c5b4a"}"#]
        )
        let run = try await build(
            """
            version: 0.2
            env:
              parameter-store: {DB_PASSWORD: /ci/db-password}
              secrets-manager: {TOKEN: "ci:token"}
            phases:
              build:
                commands:
                  - echo "$DB_PASSWORD"
                  - echo "prefix-${TOKEN}-suffix"
                  - printf '%s' "tok_9f8"; sleep 0.2; printf '%s\\n' "e7d6c5b4a split"
                  - test ${#TOKEN} -eq 16
            """,
            resolver: resolver
        )
        #expect(run.result.status == .succeeded)
        #expect(!run.log.contains("hunter2-db-pass") && !run.log.contains("tok_9f8e7d6c5b4a"))
        #expect(output(run) == ["***", "prefix-***-suffix", "*** split"])
    }

    @Test("15: exported variables are reported with their values at the end of post_build")
    func exportedVariables() async throws {
        let run = try await build(
            """
            version: 0.2
            env:
              exported-variables: [IMAGE_TAG, NEVER_SET]
            phases:
              build: {commands: [export IMAGE_TAG=first]}
              post_build: {commands: [export IMAGE_TAG=final-1.2]}
            """
        )
        #expect(run.result.exportedVariables == ["IMAGE_TAG": "final-1.2", "NEVER_SET": ""])
    }

    @Test("16: env.shell /bin/sh runs the commands in sh")
    func posixShell() async throws {
        let run = try await build(
            "version: 0.2\nenv:\n  shell: /bin/sh\nphases:\n  build:\n    commands:\n      - cd /tmp\n      - 'echo \"${BASH_VERSION:-no bash} $PWD\"'\n"
        )
        #expect(output(run) == ["no bash /tmp"])
    }

    @Test("17: the CODEBUILD_ variables are set")
    func codebuildVariables() async throws {
        let run = try await build(
            """
            version: 0.2
            phases:
              build:
                commands:
                  - 'echo "$(basename $CODEBUILD_SRC_DIR) $CODEBUILD_BUILD_NUMBER $CODEBUILD_BUILD_SUCCEEDING $CODEBUILD_RESOLVED_SOURCE_VERSION $CODEBUILD_SOURCE_VERSION"'
                  - 'case "$CODEBUILD_BUILD_ID" in gaffer:*) echo id-ok;; esac'
                  - 'test "$CODEBUILD_START_TIME" -gt 1700000000000 && echo time-ok'
            """
        )
        #expect(output(run) == ["src 1 1 0123456789abcdef0123456789abcdef01234567 pr/12", "id-ok", "time-ok"])
    }

    @Test("a command that reads standard input gets nothing, and cannot eat the commands after it")
    func stdinIsEmpty() async throws {
        let run = try await build("version: 0.2\nphases:\n  build:\n    commands:\n      - cat\n      - echo after\n")
        #expect(run.result.status == .succeeded && output(run) == ["after"])
    }
}
