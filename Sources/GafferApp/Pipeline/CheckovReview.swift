import Foundation
import GafferAgents
import GafferGitHub
import GafferProcess

/// checkov, run by Gaffer on each stack folder of the commit, its failed checks as annotations
/// at their file and lines. The checks Gaffer's own templates are known to leave open, each
/// with its reason in `templates/checkov-skips.yaml`, are skipped. Like the security agent's
/// rules, a finding warns; it does not fail the check.
public struct CheckovReview: Sendable {
    /// The checkov program (`pipeline_checkov`): it pins old libraries, so it usually lives in a virtual environment of its own.
    public let executable: String
    public let skips: [String]

    public init(executable: String, skips: [String]) {
        self.executable = executable
        self.skips = skips
    }

    /// The check ids in the shipped `checkov-skips.yaml` (each `- id: CKV_...`).
    public static func shippedSkips() throws -> [String] {
        let file = try TemplateLibrary.shippedDirectory().appendingPathComponent("checkov-skips.yaml")
        return try String(contentsOf: file, encoding: .utf8).split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("- id:") ? trimmed.dropFirst(5).trimmingCharacters(in: .whitespaces) : nil
        }
    }

    func annotations(source: String, stacks: [String]) async -> [CheckRunAnnotation] {
        var annotations: [CheckRunAnnotation] = []
        for stack in stacks {
            let folder = "infra/\(stack)"
            let arguments =
                [executable, "-d", "\(source)/\(folder)", "--framework", "cloudformation", "-o", "json", "--quiet", "--compact", "--skip-download"]
                + (skips.isEmpty ? [] : ["--skip-check", skips.joined(separator: ",")])
            guard let outcome = try? await Program.runDetached(arguments),
                let root = try? JSONSerialization.jsonObject(with: outcome.output)
            else {
                annotations.append(
                    CheckRunAnnotation(
                        path: folder,
                        startLine: 1,
                        level: "notice",
                        message: "checkov could not be run from \(executable)",
                        title: "checkov"
                    )
                )
                continue
            }
            // One report, or a list of them (one per framework); a folder with no templates gives a summary only.
            let reports = (root as? [[String: Any]]) ?? [root as? [String: Any]].compactMap { $0 }
            for report in reports {
                for check in (report["results"] as? [String: Any])?["failed_checks"] as? [[String: Any]] ?? [] {
                    let file = (check["file_path"] as? String ?? "").trimmingPrefix("/")
                    let lines = check["file_line_range"] as? [Int] ?? []
                    let id = check["check_id"] as? String ?? "checkov"
                    let guideline = (check["guideline"] as? String).map { "\n\($0)" } ?? ""
                    annotations.append(
                        CheckRunAnnotation(
                            path: "\(folder)/\(file)",
                            startLine: max(1, lines.first ?? 1),
                            endLine: max(1, lines.last ?? lines.first ?? 1),
                            level: "warning",
                            message: "\(check["check_name"] as? String ?? id) (\(check["resource"] as? String ?? "?"))\(guideline)",
                            title: "checkov \(id)"
                        )
                    )
                }
            }
        }
        return annotations
    }
}
