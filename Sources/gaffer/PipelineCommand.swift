import ArgumentParser
import Foundation
import GafferAWS
import GafferApp
import GafferPipeline

/// `gaffer pipeline`: CodeBuild buildspecs.
struct PipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Check and run CodeBuild buildspecs.",
        subcommands: [PipelineCheckCommand.self, PipelineRunCommand.self]
    )
}

/// `gaffer pipeline check`: loads each buildspec and prints its problems.
struct PipelineCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load each buildspec and print every problem as file:line:column: message. Exit 1 if any file has one."
    )

    @Argument(help: "Buildspec files (default: buildspec.yml).")
    var paths: [String] = ["buildspec.yml"]

    func run() throws {
        var failed = false
        for path in paths {
            do {
                let buildspec = try BuildspecLoader.load(path: path)
                let phases = buildspec.phases.keys.sorted().map(\.rawValue).joined(separator: ", ")
                print("\(path): ok (version \(buildspec.version.rawValue)\(phases.isEmpty ? "" : "; phases \(phases)"))")
            } catch {
                failed = true
                print(error.description)
            }
        }
        if failed { throw ExitCode(1) }
    }
}

/// `gaffer pipeline run`: runs a buildspec in the current directory, as CodeBuild's local agent does.
struct PipelineRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a buildspec in the current directory, printing the live log and a summary. Exit 0 only when the build succeeded."
    )

    @Option(help: "The buildspec, relative to the current directory.")
    var buildspec = "buildspec.yml"

    @Option(name: .customLong("env"), help: "NAME=VALUE given when the build starts; wins over the buildspec (repeat).")
    var variables: [String] = []

    @Option(name: .customLong("parameter"), help: "NAME=VALUE for an env.parameter-store parameter (repeat).")
    var parameters: [String] = []

    @Option(name: .customLong("secret"), help: "SECRET-ID=TEXT for an env.secrets-manager secret (repeat).")
    var secrets: [String] = []

    @Option(help: "Seconds before the build is stopped (default: pipeline_timeout_minutes).")
    var timeout: Double?

    @Option(name: .customLong("source-version"), help: "The commit, as CODEBUILD_RESOLVED_SOURCE_VERSION.")
    var sourceVersion: String?

    @Option(help: "Where the log and artifacts go (default: a new folder under the system's temporary directory).")
    var output: String?

    @Option(help: "Run the build as this user (Gaffer must run as root; default: pipeline_user).")
    var user: String?

    @Flag(help: "Run the build inside bubblewrap: it sees the current directory and nothing else of the machine (default: pipeline_sandbox).")
    var bubblewrap = false

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let configuration = try CommandSupport.loadConfiguration(options, needs: [])
        let directory = FileManager.default.currentDirectoryPath
        let spec: Buildspec
        do {
            spec = try BuildspecLoader.load(path: directory + "/" + buildspec, name: buildspec)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
        let folder = output ?? FileManager.default.temporaryDirectory.appendingPathComponent("gaffer-build-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var request = BuildRunner.Request(buildspec: spec, sourceDirectory: directory, logPath: folder + "/build.log")
        request.startVariables = try Self.pairs(variables, "--env")
        request.timeout = .milliseconds(Int64((timeout ?? configuration.pipelineTimeoutMinutes * 60) * 1000))
        request.resolvedSourceVersion = sourceVersion ?? ""
        request.artifactsDirectory = folder + "/artifacts"
        let given = StaticParameterResolver(parameters: try Self.pairs(parameters, "--parameter"), secrets: try Self.pairs(secrets, "--secret"))
        var resolver: any ParameterResolver = given
        // Whatever the command line does not give comes from SSM and Secrets Manager, as in CodeBuild.
        let needsAWS =
            spec.environment.parameterStore.values.contains { given.parameters[$0] == nil }
            || spec.environment.secretsManager.values.contains { given.secrets[$0.secretID] == nil }
        if needsAWS {
            do {
                resolver = FallbackParameterResolver(
                    first: given,
                    then: AWSParameterResolver(client: try AWSClient.standard(configuration.awsSettings))
                )
            } catch {
                FileHandle.standardError.write(
                    Data("gaffer: the buildspec reads parameter-store or secrets-manager, and AWS is not usable: \(error)\n".utf8)
                )
                throw ExitCode(2)
            }
        }
        let runner = BuildRunner(
            resolver: resolver,
            isolation: BuildIsolation(user: user ?? configuration.pipelineUser, bubblewrap: bubblewrap || configuration.pipelineSandbox)
        )
        if let batch = spec.batch {
            try await runBatch(batch, request: request, runner: runner, folder: folder)
            return
        }
        let log = try BuildLog(path: request.logPath)
        let lines = log.subscribe()
        let printer = Task {
            // Written straight out (print buffers in a pipe): the log is live.
            for await line in lines { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        }
        let result = await runner.run(request, log: log)
        await printer.value
        print("")
        for phase in result.phases {
            let failed = phase.failedCommand.map { ": \(BuildRunner.shown($0)) (exit status \(phase.exitStatus.map(String.init) ?? "none"))" } ?? ""
            print(
                "\(phase.name.rawValue): \(phase.status.rawValue) in \(phase.duration.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow)))\(failed)"
            )
        }
        for (name, value) in result.exportedVariables.sorted(by: { $0.key < $1.key }) {
            print("exported \(name)=\(value)")
        }
        for artifacts in result.artifacts {
            print("artifacts \(artifacts.identifier): \(artifacts.files.count) files in \(artifacts.zip)")
        }
        for report in result.reports {
            print(
                "report \(report.group): \(report.parsed ? "\(report.tests) tests, \(report.failed) failed, \(report.errors) errors" : "\(report.files.count) files (not read)")"
            )
            for failure in report.failures.prefix(20) {
                print(
                    "  \(failure.file.map { "\($0):\(failure.line.map(String.init) ?? "?")" } ?? failure.className) \(failure.name): \(failure.message)"
                )
            }
        }
        print("build \(result.status.rawValue)\(result.reason.map { ": \($0)" } ?? ""); log: \(result.logPath)")
        if result.status != .succeeded { throw ExitCode(1) }
    }

    /// A batch buildspec: every build in its own copy of the source, with its own log; a line each.
    private func runBatch(_ batch: Batch, request: BuildRunner.Request, runner: BuildRunner, folder: String) async throws {
        print("batch \(batch.kind.rawValue): each build runs in a copy of this folder under \(folder)/batch")
        let outcome: BatchRunner.Result
        do {
            outcome = try await BatchRunner(runner: runner).run(batch, request: request, workDirectory: folder + "/batch")
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
        for build in outcome.builds {
            let status =
                build.result.map { "\($0.status.rawValue)\($0.reason.map { ": \($0)" } ?? ""); log: \($0.logPath)" }
                ?? "not run (a build it depends on failed, or fast-fail stopped the batch)"
            print("build \(build.identifier)\(build.ignoreFailure ? " (failure ignored)" : ""): \(status)")
        }
        print("batch \(outcome.succeeded ? "succeeded" : "failed")")
        if !outcome.succeeded { throw ExitCode(1) }
    }

    static func pairs(_ items: [String], _ option: String) throws -> [String: String] {
        var pairs: [String: String] = [:]
        for item in items {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw ValidationError("\(option) \(item): give NAME=VALUE")
            }
            pairs[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        return pairs
    }
}
