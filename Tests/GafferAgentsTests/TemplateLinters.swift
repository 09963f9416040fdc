import Foundation
import GafferProcess
import GafferTestSupport
import Testing

/// cfn-lint and checkov, as `scripts/setup` installs them, run once over many files.
enum TemplateLinters {
    struct Outcome: Sendable {
        let status: Int32
        let output: String
    }

    /// Runs a program to the end on a thread of its own; returns its status and standard output and error together.
    static func run(_ executable: String, _ arguments: [String]) async throws -> Outcome {
        let outcome = try await Program.runDetached([executable] + arguments)
        return Outcome(status: outcome.status, output: outcome.outputText + outcome.errorText)
    }

    /// cfn-lint's problems (errors, warnings and informational) per file, as `file:line:column: rule message` lines.
    static func cfnLint(_ files: [String]) async throws -> [String: [String]] {
        let outcome = try await run("/usr/bin/env", ["cfn-lint", "--format", "parseable", "--"] + files)
        var problems: [String: [String]] = [:]
        for line in outcome.output.split(separator: "\n") {
            guard let file = files.first(where: { line.hasPrefix($0 + ":") }) else {
                Issue.record("cfn-lint said something that is not a problem line: \(line)")
                continue
            }
            problems[file, default: []].append(String(line))
        }
        // 0 is clean; 2, 4, 6, 8 and their sums mean problems, which are in the output; anything else is cfn-lint failing.
        if outcome.status != 0, problems.isEmpty { Issue.record("cfn-lint failed (\(outcome.status)): \(outcome.output)") }
        return problems
    }

    static var checkovPath: String {
        (ProcessInfo.processInfo.environment["GAFFER_CHECKOV_VENV"] ?? "/opt/gaffer-checkov") + "/bin/checkov"
    }

    /// checkov's failed checks per file, skipping the checks listed in `templates/checkov-skips.yaml`.
    static func checkov(folder: URL, skips: [String]) async throws -> [String: [String]] {
        guard FileManager.default.isExecutableFile(atPath: checkovPath) else {
            Issue.record("checkov is not installed at \(checkovPath): run scripts/setup")
            return [:]
        }
        let outcome = try await run(
            checkovPath,
            [
                "-d", folder.path, "--framework", "cloudformation", "-o", "json", "--quiet", "--compact", "--skip-download",
            ] + (skips.isEmpty ? [] : ["--skip-check", skips.joined(separator: ",")])
        )
        guard let data = outcome.output.data(using: .utf8),
            let root = try? JSONSerialization.jsonObject(with: data)
        else {
            Issue.record("checkov did not print JSON (\(outcome.status)): \(outcome.output.prefix(2_000))")
            return [:]
        }
        // One report, or a list of reports (one per framework); an empty folder gives a summary only.
        let reports = (root as? [[String: Any]]) ?? [root as? [String: Any]].compactMap { $0 }
        var failed: [String: [String]] = [:]
        for report in reports {
            let checks = (report["results"] as? [String: Any])?["failed_checks"] as? [[String: Any]] ?? []
            for check in checks {
                let file = (check["file_abs_path"] as? String) ?? (check["file_path"] as? String) ?? "?"
                let id = check["check_id"] as? String ?? "?"
                let name = check["check_name"] as? String ?? ""
                let resource = check["resource"] as? String ?? ""
                failed[file, default: []].append("\(id) \(resource): \(name)")
            }
        }
        return failed
    }

    /// The check ids in `templates/checkov-skips.yaml` (each `- id: CKV_...` with a `why:`).
    static func checkovSkips() throws -> [String] {
        let url = try TemplateLibraryLocation.root().appendingPathComponent("checkov-skips.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        var ids: [String] = []
        var reasons = 0
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("- id:") { ids.append(trimmed.dropFirst(5).trimmingCharacters(in: .whitespaces)) }
            if trimmed.hasPrefix("why:"), trimmed.count > 10 { reasons += 1 }
        }
        #expect(reasons == ids.count, "every skipped checkov check in \(url.path) needs a why:")
        return ids
    }
}

enum TemplateLibraryLocation {
    static func root() throws -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("templates")
    }
}
