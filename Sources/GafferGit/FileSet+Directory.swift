import Foundation
import GafferCore

extension FileSet {
    /// Every regular file under `directory` (its `.git` left out), as writes
    /// keeping the executable bit. A symbolic link or special file is refused:
    /// where it points would not travel with it.
    public static func contents(ofDirectory directory: String) throws(GitError) -> FileSet {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .unreadableDirectory(path: directory, reason: "it is not a directory")
        }
        var paths: [(relative: String, full: String)] = []
        guard let walker = FileManager.default.enumerator(atPath: root.path) else {
            throw .unreadableDirectory(path: directory, reason: "it cannot be listed")
        }
        while let relative = walker.nextObject() as? String {
            let full = root.path + "/" + relative
            let type = walker.fileAttributes?[.type] as? FileAttributeType
            if type == .typeDirectory {
                if (relative as NSString).lastPathComponent == ".git" { walker.skipDescendants() }
                continue
            }
            guard type == .typeRegular else {
                throw .unreadableDirectory(path: full, reason: "it is a symbolic link or special file; only regular files can be pushed")
            }
            paths.append((relative, full))
        }
        var set = FileSet()
        for (relative, full) in paths.sorted(by: { $0.relative < $1.relative }) {
            guard let contents = FileManager.default.contents(atPath: full) else {
                throw .unreadableDirectory(path: full, reason: "it cannot be read")
            }
            let permissions = (try? FileManager.default.attributesOfItem(atPath: full)[.posixPermissions] as? Int) ?? 0
            set.write(relative, contents, executable: permissions & 0o111 != 0)
        }
        return set
    }
}
