import Foundation
import GafferCore
import GafferPipeline

/// Runs an application's own pipeline (its `buildspec.yml`: lint and tests) over a tree of files.
public protocol ApplicationTestRunning: Sendable {
    /// Writes `files` in a folder of `directory` (one per step) and runs the buildspec at `buildspec`, a path in `files`.
    func run(files: FileSet, buildspec: String, in directory: URL) async -> ApplicationTestRun
}

/// What a run of the application's pipeline found.
public struct ApplicationTestRun: Sendable, Hashable {
    public var passed: Bool
    /// Tests the JUnit reports counted, and those that failed or erred.
    public var tests: Int
    public var failed: Int
    /// For the model and for a person: the failed tests with their messages, or why the build failed, and the log's end.
    public var report: String

    public init(passed: Bool, tests: Int, failed: Int, report: String) {
        self.passed = passed
        self.tests = tests
        self.failed = failed
        self.report = report
    }

    /// One line: "12 tests pass", or "2 of 12 tests fail".
    public var summary: String {
        if passed { return "\(tests) test\(tests == 1 ? "" : "s") pass" }
        return failed > 0 ? "\(failed) of \(tests) tests fail" : "the pipeline fails before its tests finish"
    }
}

/// The real runner: Gaffer's pipeline runner, isolated as the operator configured it, with no parameters or secrets.
public struct PipelineApplicationTests: ApplicationTestRunning {
    public var runner: BuildRunner
    public var timeout: Duration
    /// The most of the log's end a report carries.
    static let logTailBytes = 3_000

    public init(runner: BuildRunner = BuildRunner(), timeout: Duration = .seconds(600)) {
        self.runner = runner
        self.timeout = timeout
    }

    public func run(files: FileSet, buildspec: String, in directory: URL) async -> ApplicationTestRun {
        // Each run starts from the tree alone, so nothing an earlier run's code wrote (a conftest.py, say) is run
        // again; only the virtual environment the buildspec installs is kept aside between runs and put back, at
        // the same path, so dependencies are installed once per step.
        let source = directory.appendingPathComponent("tree", isDirectory: true)
        let venv = source.appendingPathComponent((buildspec as NSString).deletingLastPathComponent).appendingPathComponent(".venv")
        let kept = directory.appendingPathComponent("kept-venv")
        let manager = FileManager.default
        defer {
            try? manager.removeItem(at: kept)
            try? manager.moveItem(at: venv, to: kept)
            try? manager.removeItem(at: source)
        }
        do {
            try? manager.removeItem(at: source)
            try manager.createDirectory(at: venv.deletingLastPathComponent(), withIntermediateDirectories: true)
            if manager.fileExists(atPath: kept.path) { try manager.moveItem(at: kept, to: venv) }
            for case .write(let path, let contents, let executable) in files.changes {
                let url = source.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try contents.write(to: url)
                if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
            }
            let spec = try BuildspecLoader.parse(files.text(at: buildspec) ?? "", file: buildspec)
            // The log sits beside the tree, so the tests never see it.
            var request = BuildRunner.Request(
                buildspec: spec,
                sourceDirectory: source.path,
                logPath: directory.appendingPathComponent("build.log").path
            )
            request.timeout = timeout
            let result = await runner.run(request, log: try BuildLog(path: request.logPath))
            return Self.read(result)
        } catch {
            return ApplicationTestRun(passed: false, tests: 0, failed: 0, report: "the pipeline could not start: \(error)")
        }
    }

    static func read(_ result: BuildResult) -> ApplicationTestRun {
        let tests = result.reports.reduce(0) { $0 + $1.tests }
        let failed = result.reports.reduce(0) { $0 + $1.failed + $1.errors }
        var lines = [
            "The pipeline \(result.status == .succeeded ? "passed" : "failed")\(result.reason.map { ": \($0)" } ?? ""). Tests: \(tests), failed: \(failed)."
        ]
        for failure in result.reports.flatMap(\.failures).prefix(10) {
            lines.append("- \(failure.className).\(failure.name): \(failure.message.prefix(2_000))")
        }
        if result.status != .succeeded, let log = try? Data(contentsOf: URL(fileURLWithPath: result.logPath)) {
            lines.append("The log's end:\n" + String(decoding: log.suffix(logTailBytes), as: UTF8.self))
        }
        return ApplicationTestRun(
            passed: result.status == .succeeded && tests > 0 && failed == 0,
            tests: tests,
            failed: failed,
            report: lines.joined(separator: "\n")
        )
    }
}
