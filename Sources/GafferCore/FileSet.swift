import Foundation

/// The files an agent wants changed in a repository: what a commit is made of.
///
/// Paths are relative to the repository root and use `/`. The set says nothing
/// about where it will be written; the workspace that writes it checks every
/// path (no `..`, nothing under `.git/`, no symbolic link out of the
/// repository) and the size limits before it touches anything.
public struct FileSet: Sendable, Hashable, Codable {
    public enum Change: Sendable, Hashable, Codable {
        /// Create or replace a file; `executable` sets the file mode to 100755.
        case write(path: String, contents: Data, executable: Bool)
        /// Remove a file, or a directory and everything under it; a path that is not there is not an error.
        case delete(path: String)

        public var path: String {
            switch self {
            case .write(let path, _, _), .delete(let path): path
            }
        }
    }

    public private(set) var changes: [Change]

    public init(_ changes: [Change] = []) {
        self.changes = changes
    }

    public mutating func write(_ path: String, _ contents: Data, executable: Bool = false) {
        changes.append(.write(path: path, contents: contents, executable: executable))
    }

    public mutating func write(_ path: String, _ text: String, executable: Bool = false) {
        write(path, Data(text.utf8), executable: executable)
    }

    public mutating func delete(_ path: String) {
        changes.append(.delete(path: path))
    }

    /// The text written at `path`, if this set writes it.
    public func text(at path: String) -> String? {
        for case .write(let written, let contents, _) in changes.reversed() where written == path {
            return String(decoding: contents, as: UTF8.self)
        }
        return nil
    }

    public var isEmpty: Bool { changes.isEmpty }
    public var count: Int { changes.count }
}
