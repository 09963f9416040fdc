import Foundation
import GafferCore

/// Checks a file set against a workspace before anything is written, and lists every problem.
///
/// A path may not leave the repository: no absolute path, no `..`, nothing in
/// `.git`, and nothing reached through a symbolic link already in the
/// repository (a link can point anywhere, and git would record the path under
/// it as something else). Sizes and counts are held to `FileSetLimits`.
struct FileSetValidator {
    let root: String
    let limits: FileSetLimits

    func problems(in fileSet: FileSet) -> [FileSetProblem] {
        var problems: [FileSetProblem] = []
        if fileSet.count > limits.maxFiles {
            problems.append(FileSetProblem(
                path: "(file set)",
                reason: "has \(fileSet.count) changes; the limit is \(limits.maxFiles) (git_max_files); split the work into smaller sets"))
        }
        var seen: Set<String> = []
        for change in fileSet.changes {
            let path = change.path
            if let reason = syntaxProblem(path) ?? workspaceProblem(change) {
                problems.append(FileSetProblem(path: path, reason: reason))
                continue
            }
            if !seen.insert(path).inserted {
                problems.append(FileSetProblem(path: path, reason: "is listed more than once; give each path once"))
            }
            if case .write(_, let contents, _) = change, contents.count > limits.maxFileBytes {
                problems.append(FileSetProblem(
                    path: path,
                    reason: "is \(contents.count) bytes; the limit is \(limits.maxFileBytes) bytes (git_max_file_bytes)"))
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

    /// Looks at what is already in the workspace along the path.
    private func workspaceProblem(_ change: FileSet.Change) -> String? {
        let components = change.path.split(separator: "/").map(String.init)
        var current = root
        for (index, component) in components.enumerated() {
            current += "/" + component
            let isLast = index == components.count - 1
            var info = stat()
            guard lstat(current, &info) == 0 else { return nil }  // nothing there yet: the rest is new
            let type = info.st_mode & S_IFMT
            let relative = components[0...index].joined(separator: "/")
            if type == S_IFLNK && !isLast {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: current)) ?? "?"
                let resolved = URL(fileURLWithPath: current).resolvingSymlinksInPath().path
                let outside = !(resolved == root || resolved.hasPrefix(root + "/"))
                return "is under \(relative), a symbolic link to \(target)\(outside ? ", which points outside the repository" : ""); write to the real path instead"
            }
            if type == S_IFREG && !isLast {
                return "is under \(relative), which is a file"
            }
            if type == S_IFDIR && isLast, case .write = change {
                return "is a directory in the repository; delete it first or choose another path"
            }
        }
        return nil
    }
}
