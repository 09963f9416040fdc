import Foundation
import GafferCore

/// An application's files as a model edits them: in memory, relative to the application's folder, with the
/// files it may read but never write. What proves the code (the buildspecs, the blueprint's tests and
/// pytest's configuration) and what other agents own (the templates, the README) are read-only, so the
/// model can make the tests pass only by making the code work.
struct CodeTree: Sendable {
    /// The application's folder in the repository (`infra/shop`).
    let folder: String
    private(set) var files: [String: Data]
    /// Paths (relative to `folder`) the model may not write.
    let readOnly: Set<String>
    /// Paths the model wrote, or that earlier work changed, in the order first written.
    private(set) var changed: [String] = []

    /// The most bytes a file the model writes may have, and the most of a file it is shown.
    static let maximumFileBytes = 100_000
    /// File names that configure how the tests run, wherever they are.
    static let testConfiguration: Set<String> = ["conftest.py", "pytest.ini", "pyproject.toml", "setup.cfg", "tox.ini", "sitecustomize.py"]
    /// Files of the folder's top level that only other agents write.
    static let ownedElsewhere: Set<String> = ["template.yaml", "monitoring.yaml", "README.md", "Dockerfile"]

    /// The blueprint's files under `folder`: its tests and every file that is not code are read-only.
    init(folder: String, blueprint: FileSet) {
        self.folder = folder
        var files: [String: Data] = [:]
        for case .write(let path, let contents, _) in blueprint.changes where path.hasPrefix(folder + "/") {
            files[String(path.dropFirst(folder.count + 1))] = contents
        }
        self.files = files
        self.readOnly = Set(files.keys.filter { Self.isReadOnly($0) || Self.problem($0) != nil })
    }

    static func isReadOnly(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent
        return ownedElsewhere.contains(path) || testConfiguration.contains(name) || name.hasPrefix("buildspec") || name.hasPrefix("requirements")
            || path.hasPrefix("tests/")
    }

    /// Takes what the branch holds over the blueprint's, for the files the model may write: the step goes on from it.
    mutating func carry(_ earlier: FileSet) {
        for case .write(let path, let contents, _) in earlier.changes where path.hasPrefix(folder + "/") {
            let relative = String(path.dropFirst(folder.count + 1))
            guard Self.problem(relative) == nil, !isProtected(relative), files[relative] != contents else { continue }
            files[relative] = contents
            if !changed.contains(relative) { changed.append(relative) }
        }
    }

    /// A blueprint's test, its configuration, or a file owned by another agent; new test files are the model's.
    func isProtected(_ path: String) -> Bool {
        readOnly.contains(path) || Self.testConfiguration.contains((path as NSString).lastPathComponent)
            || (Self.isReadOnly(path) && !path.hasPrefix("tests/"))
    }

    /// Why `path` is not a path inside the folder the model may name, or nil.
    static func problem(_ path: String) -> String? {
        if path.isEmpty || path.utf8.count > 200 { return "a path is 1 to 200 bytes long" }
        if path.hasPrefix("/") || path.contains("\\") { return "paths are relative to the application's folder and use /" }
        for part in path.split(separator: "/", omittingEmptySubsequences: false) {
            if part.isEmpty || part == "." || part == ".." { return "a path has no empty, . or .. parts" }
            if part.hasPrefix(".") { return "hidden files and folders (starting with .) are not part of the application" }
        }
        return nil
    }

    /// Every file with its size, the read-only ones marked.
    func listing() -> String {
        files.keys.sorted().map { path in
            "\(path) (\(files[path]?.count ?? 0) bytes\(isProtected(path) ? ", read-only" : ""))"
        }.joined(separator: "\n")
    }

    func read(_ path: String) throws(CodeToolError) -> String {
        // Only the folder's own files are in the tree, so any name outside it is simply not found.
        guard let contents = files[path] else { throw CodeToolError("there is no file \(path); list_files shows what there is") }
        let text = String(decoding: contents.prefix(Self.maximumFileBytes), as: UTF8.self)
        return contents.count > Self.maximumFileBytes ? text + "\n[… cut at \(Self.maximumFileBytes) bytes]" : text
    }

    mutating func write(_ path: String, _ text: String) throws(CodeToolError) {
        if let problem = Self.problem(path) { throw CodeToolError(problem) }
        if isProtected(path) {
            throw CodeToolError(
                "\(path) is read-only: the blueprint's tests, the test configuration, the buildspecs, the requirements and the templates prove "
                    + "the code or belong to other agents; add new tests as new files under tests/"
            )
        }
        guard text.utf8.count <= Self.maximumFileBytes else { throw CodeToolError("a file may have at most \(Self.maximumFileBytes) bytes") }
        files[path] = Data(text.utf8)
        if !changed.contains(path) { changed.append(path) }
    }

    /// The changed files, under the folder, for the commit.
    var changes: FileSet {
        var set = FileSet()
        for path in changed { if let contents = files[path] { set.write("\(folder)/\(path)", contents) } }
        return set
    }

    /// Every file of the repository the tests need: `others` (the plan's files) with this tree's over them.
    func everything(over others: FileSet) -> FileSet {
        var set = FileSet(others.changes.filter { !$0.path.hasPrefix(folder + "/") })
        for path in files.keys.sorted() { if let contents = files[path] { set.write("\(folder)/\(path)", contents) } }
        return set
    }
}

/// A tool use the tree refused, in words the model can act on.
struct CodeToolError: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}
