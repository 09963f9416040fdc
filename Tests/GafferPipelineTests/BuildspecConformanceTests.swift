import Foundation
import GafferPipeline
import GafferTestSupport
import Testing

/// Every real buildspec in the shared conformance data loads, or is refused
/// with a message naming the file, the line and what is wrong; those whose
/// index notes them as malformed are refused.
struct BuildspecConformanceTests {
    /// The anomalies in `INDEX.tsv` that make a file wrong, as opposed to unusual.
    static let malformedMarks = ["nonstandard-phase-keys", "commands-not-a-list", "build-unknown-keys", "but no commands", "YAML-ERROR"]

    static func index(_ folder: String) throws -> [(file: String, row: String)] {
        let url = try Conformance.directory().appendingPathComponent(folder).appendingPathComponent("INDEX.tsv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
        return lines.map { line in (String(line.split(separator: "\t").first ?? ""), String(line)) }
    }

    @Test(arguments: ["buildspecs", "buildspecs-awsdocs"])
    func everyFileLoadsOrIsRefusedPrecisely(folder: String) throws {
        let directory = try Conformance.directory().appendingPathComponent(folder)
        var loaded = 0, refused = 0
        for (file, row) in try Self.index(folder) {
            let malformed = Self.malformedMarks.contains { row.contains($0) }
            do {
                let buildspec = try BuildspecLoader.load(path: directory.appendingPathComponent(file).path, name: file)
                #expect(!malformed, "\(file) is malformed (\(row)) but loaded")
                #expect(!buildspec.phases.isEmpty || buildspec.batch != nil, "\(file) loaded with nothing to run")
                loaded += 1
            } catch {
                #expect(!error.problems.isEmpty)
                for problem in error.problems {
                    #expect(problem.file == file && problem.line >= 1 && problem.column >= 1)
                    #expect(problem.description.hasPrefix("\(file):\(problem.line):\(problem.column): "))
                }
                refused += 1
                print("refused \(file): \(error)")
            }
        }
        print("\(folder): \(loaded) loaded, \(refused) refused")
        #expect(loaded > refused)
    }
}
