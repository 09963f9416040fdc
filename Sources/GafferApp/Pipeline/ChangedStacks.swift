import GafferGit

/// The stacks a pull request touches: the `infra/<stack>/` folders with a file its diff adds, changes or
/// deletes. Only these are built and planned, so merged tasks' stacks on the default branch are neither
/// built again nor locked by every later pull request.
enum ChangedStacks {
    static func folders(in diff: DiffStat) -> Set<String> {
        Set(
            diff.files.compactMap { file in
                let parts = file.path.split(separator: "/", maxSplits: 2)
                return parts.count == 3 && parts[0] == "infra" ? String(parts[1]) : nil
            }
        )
    }

    /// The changed folders between the pull request's base and its head, read in `workspace` (after a checkout
    /// of `head`); nil when the base is unknown, which means every folder.
    static func folders(base: String?, head: GitObjectID, in workspace: GitWorkspace) async throws -> Set<String>? {
        guard let base, let baseID = GitObjectID(hex: base) else { return nil }
        return folders(in: try await workspace.changes(from: baseID, to: head))
    }
}
