import ArgumentParser
import Foundation
import GafferPipeline

/// `gaffer-pipeline-bench`: the runner's cost per command, against bash running
/// the same commands from one script, and its output throughput with masking.
@main
struct PipelineBenchmark: AsyncParsableCommand {
    @Option(help: "Trivial commands in one build.")
    var commands = 200

    @Option(help: "Megabytes of output for the masking figure.")
    var megabytes = 100

    @Option(help: "Rounds; the median is reported.")
    var rounds = 15

    @Option(help: "Where the files are made.")
    var under = "bench/tmp"

    func run() async throws {
        let root = URL(fileURLWithPath: under).appendingPathComponent("pipeline-\(UUID().uuidString)").standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await overhead(root)
        try await masking(root)
    }

    /// N `true` commands: in a build, and in a bash script, one after the other in each round.
    func overhead(_ root: String) async throws {
        let script = root + "/script.sh"
        try Data(String(repeating: "true\n", count: commands).utf8).write(to: URL(fileURLWithPath: script))
        let yaml = "version: 0.2\nphases:\n  build:\n    commands:\n" + String(repeating: "      - \"true\"\n", count: commands)
        let buildspec = try BuildspecLoader.parse(yaml)
        var build: [Double] = [], bash: [Double] = []
        for round in 0..<rounds {
            bash.append(try Self.timed { try Self.run("/bin/bash", [script]) })
            var status = BuildResult.Status.failed
            build.append(
                try await Self.timedAsync {
                    let log = try BuildLog(path: "\(root)/overhead-\(round).log")
                    status = await BuildRunner().run(BuildRunner.Request(buildspec: buildspec, sourceDirectory: root, logPath: log.path), log: log)
                        .status
                }
            )
            guard status == .succeeded else { throw ValidationError("the build failed") }
        }
        let perCommand = (Self.median(build) - Self.median(bash)) / Double(commands)
        try Self.emit([
            "benchmark": "pipeline-overhead", "commands": commands, "rounds": rounds,
            "build_ms": Self.median(build), "bash_script_ms": Self.median(bash), "overhead_ms_per_command": (perCommand * 1000).rounded() / 1000,
        ])
    }

    /// `cat` of a file of M megabytes with 10 secrets in it, through the build log, against `cat` to /dev/null.
    func masking(_ root: String) async throws {
        let secrets = (0..<10).map { "s3cr3t-value-\($0)-\(UUID().uuidString.prefix(8))" }
        var line = ""
        var chunk = Data()
        for index in 0..<16_384 {
            line =
                index % 97 == 0
                ? "line \(index) carries \(secrets[index % 10]) inside it\n" : "line \(index) of ordinary build output, nothing to hide here\n"
            chunk.append(Data(line.utf8))
        }
        let file = root + "/output.txt"
        FileManager.default.createFile(atPath: file, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        while (try handle.offset()) < UInt64(megabytes) << 20 { handle.write(chunk) }
        try handle.close()
        let bytes = Double((try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
        let buildspec = try BuildspecLoader.parse(
            "version: 0.2\nenv:\n  parameter-store:\n" + (0..<10).map { "    S\($0): p\($0)\n" }.joined()
                + "phases:\n  build:\n    commands:\n      - cat output.txt\n"
        )
        let resolver = StaticParameterResolver(parameters: Dictionary(uniqueKeysWithValues: (0..<10).map { ("p\($0)", secrets[$0]) }))
        var build: [Double] = [], plain: [Double] = []
        for round in 0..<max(3, rounds / 5) {
            plain.append(try Self.timed { try Self.run("/bin/sh", ["-c", "cat '\(file)' > /dev/null"]) })
            let logPath = "\(root)/masking-\(round).log"
            build.append(
                try await Self.timedAsync {
                    let log = try BuildLog(path: logPath)
                    _ = await BuildRunner(resolver: resolver).run(
                        BuildRunner.Request(buildspec: buildspec, sourceDirectory: root, logPath: logPath),
                        log: log
                    )
                }
            )
            let written = try Data(contentsOf: URL(fileURLWithPath: logPath))
            guard secrets.allSatisfy({ written.range(of: Data($0.utf8)) == nil }) else { throw ValidationError("a secret reached the log") }
            try FileManager.default.removeItem(atPath: logPath)
        }
        try Self.emit([
            "benchmark": "pipeline-masking", "megabytes": bytes / 1_048_576, "secrets": 10, "rounds": max(3, rounds / 5),
            "build_ms": Self.median(build), "cat_ms": Self.median(plain), "mb_per_s": ((bytes / 1_048_576) / (Self.median(build) / 1000)).rounded(),
        ])
    }

    static func emit(_ object: [String: Any]) throws {
        print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
    }

    static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
    }

    static func timed(_ body: () throws -> Void) throws -> Double {
        let start = ContinuousClock.now
        try body()
        return milliseconds(start.duration(to: .now))
    }

    static func timedAsync(_ body: () async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        try await body()
        return milliseconds(start.duration(to: .now))
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return (sorted[sorted.count / 2] * 100).rounded() / 100
    }
}
