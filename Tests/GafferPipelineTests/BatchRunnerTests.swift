import Foundation
import GafferPipeline
import GafferTestSupport
import Testing

/// Rule 22: batch builds.
struct BatchRunnerTests {
    /// Runs the batch; returns its result and the names of the files its builds left in $SHARED.
    func batch(_ yaml: String, files: [String: String] = [:]) async throws -> (BatchRunner.Result, shared: [String]) {
        let directory = try TemporaryDirectory("gaffer-batch")
        defer { directory.remove() }
        let source = directory.url.appendingPathComponent("src")
        let shared = directory.url.appendingPathComponent("shared").path
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        for (path, text) in files {
            try Data(text.utf8).write(to: source.appendingPathComponent(path))
        }
        let buildspec = try BuildspecLoader.parse(yaml)
        var request = BuildRunner.Request(buildspec: buildspec, sourceDirectory: source.path, logPath: "")
        request.startVariables = ["SHARED": shared]
        request.killGrace = .milliseconds(500)
        let batch = try #require(buildspec.batch)
        let result = try await BatchRunner().run(batch, request: request, workDirectory: directory.url.appendingPathComponent("work").path)
        return (result, try FileManager.default.contentsOfDirectory(atPath: shared))
    }

    @Test("build-list runs the builds at the same time, each in its own copy of the source")
    func buildList() async throws {
        // Each waits (polling, with a deadline) for the other to have started: only builds running at once finish.
        let (result, _) = try await batch(
            """
            version: 0.2
            batch:
              build-list:
                - identifier: left
                  env: {variables: {ME: left, OTHER: right}}
                - identifier: right
                  env: {variables: {ME: right, OTHER: left}}
            phases:
              build:
                commands:
                  - touch "$SHARED/$ME" && echo "$ME" > mine.txt
                  - for i in $(seq 200); do [ -f "$SHARED/$OTHER" ] && break; sleep 0.05; done; [ -f "$SHARED/$OTHER" ]
                  - test "$(cat mine.txt)" = "$ME"
            """
        )
        #expect(result.succeeded)
        #expect(result.builds.map(\.identifier) == ["left", "right"])
        #expect(result.builds.allSatisfy { $0.result?.status == .succeeded })
    }

    @Test("build-matrix runs every combination; build-graph follows depend-on and skips what depends on a failure")
    func matrixAndGraph() async throws {
        let (matrix, shared) = try await batch(
            """
            version: 0.2
            batch:
              build-matrix:
                dynamic:
                  env:
                    variables:
                      OS: [linux, windows]
                      RUNTIME: [py3, node]
            phases:
              build: {commands: ['touch "$SHARED/$OS-$RUNTIME"']}
            """
        )
        #expect(matrix.succeeded && matrix.builds.count == 4)
        #expect(Set(shared) == ["linux-py3", "linux-node", "windows-py3", "windows-node"])

        let (graph, order) = try await batch(
            """
            version: 0.2
            batch:
              build-graph:
                - identifier: lint
                  buildspec: ok.yml
                - identifier: test
                  buildspec: fails.yml
                  ignore-failure: true
                - identifier: package
                  buildspec: ok.yml
                  depend-on: [lint]
                - identifier: deploy
                  buildspec: ok.yml
                  depend-on: [package, test]
            """,
            files: [
                "ok.yml": #"version: 0.2\#nphases:\#n  build: {commands: ['mktemp "$SHARED/ran.XXXXXX"']}\#n"#,
                "fails.yml": "version: 0.2\nphases:\n  build: {commands: ['false']}\n",
            ]
        )
        let outcomes = Dictionary(uniqueKeysWithValues: graph.builds.map { ($0.identifier, $0) })
        #expect(outcomes["lint"]?.result?.status == .succeeded && outcomes["package"]?.result?.status == .succeeded)
        #expect(outcomes["test"]?.result?.status == .failed)
        #expect(outcomes["deploy"]?.result == nil, "deploy depends on a failed build and must not run")
        #expect(graph.succeeded, "the only failure is ignore-failure")
        #expect(order.count == 2)
    }

    @Test("fast-fail stops the builds still running when one fails")
    func fastFail() async throws {
        let started = ContinuousClock.now
        let (result, _) = try await batch(
            """
            version: 0.2
            batch:
              fast-fail: true
              build-list:
                - identifier: quick
                  env: {variables: {FAIL: "yes"}}
                - identifier: slow
            phases:
              build:
                commands:
                  - 'if [ "$FAIL" = yes ]; then false; else sleep 60; fi'
            """
        )
        #expect(!result.succeeded)
        let outcomes = Dictionary(uniqueKeysWithValues: result.builds.map { ($0.identifier, $0) })
        #expect(outcomes["quick"]?.result?.status == .failed)
        #expect(outcomes["slow"]?.result?.status == .stopped)
        // The slow build sleeps 60 s: stopped, it ends well before; a loaded machine may take tens of seconds to start them.
        #expect(started.duration(to: .now) < .seconds(55))
    }
}
