import GafferAgents
import GafferCore

/// The branch Gaffer writes an issue's code to: `gaffer/<issue>-<resource kind>`, one per
/// issue. It is named by what does not change when the issue is edited (not the title, not
/// the resource's name), so an edited issue lands on the same branch and the same pull request.
public enum TaskBranch {
    public static let prefix = "gaffer/"

    public static func name(issue: Int, task: AwsTask) -> String {
        prefix + "\(issue)-" + (task.resource.map(StackNaming.kebab) ?? "resources")
    }

    /// The issue number in one of Gaffer's branch names, or nil for any other branch.
    public static func issue(in branch: String) -> Int? {
        guard branch.hasPrefix(prefix) else { return nil }
        return Int(branch.dropFirst(prefix.count).prefix { $0.isNumber })
    }
}
