import Foundation

/// Paths a buildspec names are strangers' input: this keeps them inside the folder they are relative to.
///
/// Artifacts, reports and batch builds are read and written in Gaffer's own process, outside the
/// build's user and sandbox, so a path that left the source folder would reach Gaffer's files.
enum ContainedPath {
    struct Escape: Error, CustomStringConvertible {
        let description: String
    }

    /// Why a literal relative path would leave its folder, or nil when it stays inside.
    static func problem(_ path: String) -> String? {
        if path.hasPrefix("/") { return "is an absolute path; give a path relative to the source folder" }
        var depth = 0
        for part in path.split(separator: "/") where part != "." {
            depth += part == ".." ? -1 : 1
            if depth < 0 { return "leaves the source folder (through ..); give a path inside it" }
        }
        return nil
    }

    /// Whether `text` can name a file or folder on its own: letters, digits, `_`, `-` and `.`, not starting with `.`.
    static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 128 && !text.hasPrefix(".")
            && text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_-.".unicodeScalars.contains($0)) }
    }

    /// The real path of `relative` under `root`, symbolic links resolved; throws when it does not
    /// exist or ends up outside `root`.
    static func resolve(_ relative: String, under root: String, what: String) throws -> String {
        let realRoot = try real(root, what: "the source folder")
        let joined = relative.isEmpty || relative == "." ? root : root + "/" + relative
        let resolved = try real(joined, what: what)
        guard resolved == realRoot || resolved.hasPrefix(realRoot + "/") else {
            throw Escape(description: "\(what) \(relative) leads outside the source folder (to \(resolved)); only files inside it are collected")
        }
        return resolved
    }

    /// `realpath(3)`: the path with every symbolic link, `.` and `..` resolved.
    static func real(_ path: String, what: String) throws -> String {
        guard let resolved = realpath(path, nil) else {
            throw Escape(description: "\(what) \(path) does not exist (\(String(cString: strerror(errno))))")
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
