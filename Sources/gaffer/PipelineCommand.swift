import ArgumentParser
import Foundation
import GafferPipeline

/// `gaffer pipeline`: CodeBuild buildspecs.
struct PipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline", abstract: "Check and run CodeBuild buildspecs.", subcommands: [PipelineCheckCommand.self])
}

/// `gaffer pipeline check`: loads each buildspec and prints its problems.
struct PipelineCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Load each buildspec and print every problem as file:line:column: message. Exit 1 if any file has one.")

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
