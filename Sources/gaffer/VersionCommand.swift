import ArgumentParser
import GafferCore

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print Gaffer's version.")

    func run() {
        print("gaffer \(GafferVersion.current)")
    }
}
