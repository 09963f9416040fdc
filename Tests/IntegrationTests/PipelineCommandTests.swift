import Foundation
import GafferTestSupport
import Testing

/// `gaffer pipeline check` and `gaffer pipeline run` as an operator runs them.
struct PipelineCommandTests {
    func run(_ arguments: [String], in directory: URL) async throws -> (status: Int32, output: String) {
        let process = try GafferProcess(arguments: ["pipeline"] + arguments, environment: [:], directory: directory)
        defer { process.stop() }
        let status = try await process.waitForExit()
        return (status, process.output)
    }

    @Test func runPrintsTheLiveLogAndASummaryAndExitsByTheResult() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data(
            """
            version: 0.2
            env:
              secrets-manager: {TOKEN: "ci:token"}
              exported-variables: [TAG]
            phases:
              build:
                commands:
                  - echo "hello $NAME token=$TOKEN"
                  - export TAG=v7
                  - mkdir -p out && echo bin > out/app
            artifacts:
              files: [out/*]
            """.utf8
        ).write(to: directory.url.appendingPathComponent("buildspec.yml"))
        let good = try await run(
            ["run", "--env", "NAME=world", "--secret", #"ci={"token":"tok-123456"}"#, "--output", directory.url.appendingPathComponent("o").path],
            in: directory.url
        )
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("hello world token=***") && !good.output.contains("tok-123456"))
        #expect(good.output.contains("Running command export TAG=v7"))
        #expect(good.output.contains("exported TAG=v7") && good.output.contains("artifacts primary: 1 files"))
        #expect(good.output.contains("build succeeded"))

        try Data("version: 0.2\nphases:\n  build: {commands: ['exit 5']}\n".utf8).write(to: directory.url.appendingPathComponent("fail.yml"))
        let bad = try await run(["run", "--buildspec", "fail.yml"], in: directory.url)
        #expect(bad.status == 1 && bad.output.contains("build: failed") && bad.output.contains("exit status 5"), "\(bad.output)")
    }

    @Test func checkPrintsEachProblemWithItsPlace() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data("version: 0.2\nphases:\n  pre-build:\n    commands: [ls]\n".utf8).write(to: directory.url.appendingPathComponent("bad.yml"))
        try Data("version: 0.2\nphases:\n  build:\n    commands: [ls]\n".utf8).write(to: directory.url.appendingPathComponent("buildspec.yml"))
        let result = try await run(["check", "buildspec.yml", "bad.yml"], in: directory.url)
        #expect(result.status == 1)
        #expect(result.output.contains("buildspec.yml: ok (version 0.2; phases build)"))
        #expect(result.output.contains("bad.yml:3:3: `pre-build` is not a phase; did you mean pre_build?"))
    }
}
