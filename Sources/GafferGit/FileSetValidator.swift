import GafferCore

/// Checks a file set against the branch before anything is staged, and lists every problem.
///
/// A path may not leave the repository: no absolute path, no `..`, nothing in
/// `.git`, and nothing reached through a symbolic link the branch holds (a
/// link can point anywhere, and a checkout would write through it). Sizes and
/// counts are held to `FileSetLimits`.
struct FileSetValidator {
    let limits: FileSetLimits

    func problems(in fileSet: FileSet, against staged: StagedTree) -> [FileSetProblem] {
        var problems: [FileSetProblem] = []
        if fileSet.count > limits.maxFiles {
            problems.append(
                FileSetProblem(
                    path: "(file set)",
                    reason: "has \(fileSet.count) changes; the limit is \(limits.maxFiles) (git_max_files); split the work into smaller sets"
                )
            )
        }
        var seen: Set<String> = []
        for change in fileSet.changes {
            let path = change.path
            if let reason = syntaxProblem(path) ?? stagedProblem(change, in: staged) {
                problems.append(FileSetProblem(path: path, reason: reason))
                continue
            }
            if !seen.insert(path).inserted {
                problems.append(FileSetProblem(path: path, reason: "is listed more than once; give each path once"))
            }
            if case .write(_, let contents, _) = change, contents.count > limits.maxFileBytes {
                problems.append(
                    FileSetProblem(
                        path: path,
                        reason: "is \(contents.count) bytes; the limit is \(limits.maxFileBytes) bytes (git_max_file_bytes)"
                    )
                )
            }
        }
        return problems
    }

    private func syntaxProblem(_ path: String) -> String? {
        if path.isEmpty { return "the path is empty" }
        if path.contains("\0") { return "contains a NUL byte" }
        if path.hasPrefix("/") { return "is an absolute path; give a path relative to the repository root" }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        if components.contains("..") { return "contains '..', which would leave the repository" }
        if components.contains(where: { $0.isEmpty || $0 == "." }) {
            return "has an empty or '.' component; write it as a plain relative path such as src/app.py"
        }
        if components.contains(where: { $0.lowercased() == ".git" }) {
            return "is inside .git; Gaffer never writes git's own files"
        }
        return nil
    }

    /// Looks at what the branch already has along the path.
    private func stagedProblem(_ change: FileSet.Change, in staged: StagedTree) -> String? {
        let components = change.path.split(separator: "/")
        for index in components.indices {
            let prefix = components[...index].joined(separator: "/")
            let isLast = index == components.count - 1
            switch staged.entry(at: prefix) {
            case .symbolicLink(let target) where !isLast:
                let outside = Self.leavesRepository(target, from: components[..<index].count)
                return
                    "is under \(prefix), a symbolic link to \(target)\(outside ? ", which points outside the repository" : ""); write to the real path instead"
            case .file where !isLast:
                return "is under \(prefix), which is a file"
            case .folder where isLast:
                if case .write = change { return "is a folder in the repository; delete it first or choose another path" }
            case .none:
                return nil  // nothing there yet: the rest of the path is new
            default:
                break
            }
        }
        return nil
    }

    /// Whether a link's target, read from a link `depth` folders deep, ends up outside the repository.
    static func leavesRepository(_ target: String, from depth: Int) -> Bool {
        if target.hasPrefix("/") { return true }
        var level = depth
        for component in target.split(separator: "/") {
            if component == ".." { level -= 1 } else if component != "." { level += 1 }
            if level < 0 { return true }
        }
        return false
    }
}
