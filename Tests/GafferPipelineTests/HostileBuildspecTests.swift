import Foundation
import GafferTestSupport
import Testing

@testable import GafferPipeline

/// Buildspecs written by strangers to reach past their build: each is refused, and nothing is touched.
struct HostileBuildspecTests {
    /// A source folder with a folder beside it that the build must never reach.
    struct Scene {
        let directory: TemporaryDirectory
        var source: String { directory.url.appendingPathComponent("src").path }
        var outside: String { directory.url.appendingPathComponent("gaffer-data").path }
        var artifacts: String { directory.url.appendingPathComponent("out/artifacts").path }

        init() throws {
            directory = try TemporaryDirectory("gaffer-hostile")
            for folder in [source, outside, artifacts] {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            try Data("webhook_secret: s3cr3t-of-gaffer\n".utf8).write(to: URL(fileURLWithPath: outside + "/gaffer.yml"))
            try Data("<testsuite tests='1' failures='1'><testcase name='t'><failure message='planted'/></testcase></testsuite>".utf8)
                .write(to: URL(fileURLWithPath: outside + "/report.xml"))
        }

        func run(
            _ buildspec: Buildspec,
            isolation: BuildIsolation = BuildIsolation(),
            resolver: StaticParameterResolver = StaticParameterResolver()
        ) async throws -> BuildResult {
            var request = BuildRunner.Request(
                buildspec: buildspec,
                sourceDirectory: source,
                logPath: directory.url.appendingPathComponent("build.log").path
            )
            request.artifactsDirectory = artifacts
            return await BuildRunner(resolver: resolver, isolation: isolation).run(request, log: try BuildLog(path: request.logPath))
        }

        /// Every file under the artifacts folder, relative to it.
        func collected() -> [String] {
            (FileManager.default.enumerator(atPath: artifacts)?.allObjects as? [String] ?? []).sorted()
        }
    }

    @Test("1: run-as may name the build's own user or nothing; root, from a buildspec, is refused before any command runs")
    func runAsCannotRaiseRights() async throws {
        let scene = try Scene()
        defer { scene.directory.remove() }
        for yaml in [
            "version: 0.2\nrun-as: root\nphases:\n  build: {commands: [touch ran]}\n",
            "version: 0.2\nphases:\n  build: {run-as: root, commands: [touch ran]}\n",
        ] {
            let result = try await scene.run(try BuildspecLoader.parse(yaml), isolation: BuildIsolation(user: "nobody"))
            #expect(result.status == .failed)
            #expect(result.reason?.contains("run-as root is refused: builds here run as the user nobody") == true, "\(result.reason ?? "")")
            #expect(result.phases.isEmpty && !FileManager.default.fileExists(atPath: scene.source + "/ran"))
        }
        // With no pipeline_user the build runs as Gaffer's user, which the buildspec may name.
        let me = try #require(getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) })
        let own = try await scene.run(try BuildspecLoader.parse("version: 0.2\nrun-as: \(me)\nphases:\n  build: {commands: [touch ran]}\n"))
        #expect(own.status == .succeeded && FileManager.default.fileExists(atPath: scene.source + "/ran"))
        let other = try await scene.run(
            try BuildspecLoader.parse("version: 0.2\nrun-as: \(me == "root" ? "nobody" : "root")\nphases:\n  build: {commands: [echo]}\n")
        )
        #expect(
            other.status == .failed && other.reason?.contains("Gaffer") == false && other.reason?.contains("remove run-as or set it to \(me)") == true
        )
    }

    @Test("2: paths that leave the source folder are refused when the buildspec is loaded, each with its line")
    func literalEscapesAreRefusedAtLoad() throws {
        let cases: [(yaml: String, line: Int, says: String)] = [
            ("artifacts:\n  files: ['**/*']\n  base-directory: ../../..\n", 6, "artifacts.base-directory ../../.. leaves the source folder"),
            ("artifacts:\n  files: ['**/*']\n  base-directory: /etc\n", 6, "artifacts.base-directory /etc is an absolute path"),
            ("artifacts:\n  files: ['../gaffer-data/*']\n", 5, "artifacts.files: ../gaffer-data/* leaves the source folder"),
            (
                "artifacts:\n  files: [a]\n  secondary-artifacts:\n    ..:\n      files: [b]\n", 7,
                "the secondary artifact identifier `..` is not a name"
            ),
            (
                "reports:\n  unit:\n    files: ['*.xml']\n    base-directory: ../gaffer-data\n", 7,
                "reports.unit.base-directory ../gaffer-data leaves the source folder"
            ),
            (
                "batch:\n  build-list:\n    - identifier: a\n      buildspec: ../other/buildspec.yml\n", 7,
                "buildspec ../other/buildspec.yml leaves the source folder"
            ),
            ("batch:\n  build-list:\n    - identifier: ../../x\n", 6, "the build identifier `../../x` is not a name"),
        ]
        for (yaml, line, says) in cases {
            let text = "version: 0.2\nphases:\n  build: {commands: [ls]}\n" + yaml
            let problems = #expect(throws: BuildspecProblems.self) { try BuildspecLoader.parse(text) }
            let problem = problems?.problems.first { $0.message.contains(says) }
            #expect(problem?.line == line, "\(yaml): \(problems?.description ?? "loaded")")
        }
    }

    @Test("2: a base directory or a folder that is a link out of the source collects nothing from outside, and fails the build")
    func linksOutAreRefusedAtCollection() async throws {
        let scene = try Scene()
        defer { scene.directory.remove() }
        try FileManager.default.createSymbolicLink(atPath: scene.source + "/data", withDestinationPath: scene.outside)
        let throughBase = try await scene.run(
            try BuildspecLoader.parse(
                """
                version: 0.2
                phases:
                  build: {commands: [echo built]}
                artifacts:
                  files: ['**/*']
                  base-directory: data
                reports:
                  unit:
                    files: ['*.xml']
                    base-directory: data
                """
            )
        )
        #expect(throughBase.status == .failed)
        #expect(throughBase.reason?.contains("base-directory data leads outside the source folder") == true, "\(throughBase.reason ?? "")")
        #expect(throughBase.reports.isEmpty)
        #expect(!scene.collected().contains { $0.hasSuffix("gaffer.yml") }, "\(scene.collected())")

        // A folder link inside the collected tree: FileManager does not follow it, and the collector checks each file anyway.
        try Data("mine\n".utf8).write(to: URL(fileURLWithPath: scene.source + "/app.txt"))
        let throughFolder = try await scene.run(
            try BuildspecLoader.parse("version: 0.2\nphases:\n  build: {commands: [echo]}\nartifacts:\n  files: ['**/*']\n")
        )
        #expect(scene.collected().contains("primary/app.txt"))
        #expect(!scene.collected().contains { $0.contains("gaffer.yml") }, "\(scene.collected()) \(throughFolder.reason ?? "")")
    }

    @Test("2: an artifact identifier that is a path is refused and the output folder's parent survives")
    func identifierIsAName() throws {
        let scene = try Scene()
        defer { scene.directory.remove() }
        try Data("x".utf8).write(to: URL(fileURLWithPath: scene.source + "/a"))
        #expect(throws: ArtifactCollector.Failure.self) {
            try ArtifactCollector.collect(ArtifactSet(files: ["a"]), identifier: "..", source: scene.source, into: scene.artifacts)
        }
        #expect(FileManager.default.fileExists(atPath: scene.directory.url.appendingPathComponent("out").path))
        #expect(FileManager.default.fileExists(atPath: scene.artifacts))
    }

    @Test("4: exported variables, test failure messages and the failed command are masked in the result, as in the log")
    func resultsAreMasked() async throws {
        let scene = try Scene()
        defer { scene.directory.remove() }
        let secret = "tok_0a1b2c3d4e5f"
        let result = try await scene.run(
            try BuildspecLoader.parse(
                """
                version: 0.2
                env:
                  secrets-manager: {TOKEN: "ci:token"}
                  exported-variables: [LEAK]
                phases:
                  build:
                    commands:
                      - export LEAK="was $TOKEN"
                      - printf '<testsuite><testcase name="t"><failure message="%s"/></testcase></testsuite>' "$TOKEN" > report.xml
                      - test "$TOKEN" = nope
                reports:
                  unit: {files: [report.xml]}
                """
            ),
            resolver: StaticParameterResolver(secrets: ["ci": #"{"token": "\#(secret)"}"#])
        )
        #expect(result.status == .failed)
        #expect(result.exportedVariables["LEAK"] == "was ***")
        #expect(result.reports.first?.failures.first?.message == "***")
        #expect(!"\(result)".contains(secret))
    }

    @Test("5: a batch whose builds wait on each other in a cycle, or share an identifier, is refused at load")
    func batchCycleAndDuplicates() throws {
        let cycle = """
            version: 0.2
            batch:
              build-graph:
                - identifier: a
                  depend-on: [c]
                - identifier: b
                  depend-on: [a]
                - identifier: c
                  depend-on: [b]
                - identifier: d
            phases:
              build: {commands: [ls]}
            """
        let cycleProblems = #expect(throws: BuildspecProblems.self) { try BuildspecLoader.parse(cycle) }
        #expect(
            cycleProblems?.description.contains("the builds a, b, c depend on each other in a cycle") == true,
            "\(cycleProblems?.description ?? "")"
        )
        let twice = "version: 0.2\nbatch:\n  build-list:\n    - identifier: same\n    - identifier: same\nphases:\n  build: {commands: [ls]}\n"
        let twiceProblems = #expect(throws: BuildspecProblems.self) { try BuildspecLoader.parse(twice) }
        #expect(twiceProblems?.description.contains("two builds have the identifier same") == true)
        // Built in code rather than loaded, the runner refuses it too rather than report an empty success.
        var batch = Batch(kind: .buildGraph)
        batch.builds = [Batch.Build(identifier: "a", dependsOn: ["b"]), Batch.Build(identifier: "b", dependsOn: ["a"])]
        let request = BuildRunner.Request(
            buildspec: try BuildspecLoader.parse("version: 0.2\nphases:\n  build: {commands: [ls]}\n"),
            sourceDirectory: "/tmp",
            logPath: ""
        )
        #expect(throws: BuildspecProblems.self) { _ = try BatchRunner().plan(batch, request: request) }
    }
}
