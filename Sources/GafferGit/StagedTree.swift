import CLibGit2
import Foundation

/// The files of the commit being made: an index held in memory, never written to disk.
///
/// A workspace has no working directory. Agents hand over files as data, and
/// writing a thousand of them out only to read them back costs more than all
/// of git's own work (creating files is what the kernel is slowest at here);
/// the pipeline checks a commit out where it runs.
final class StagedTree {
    private let index: OpaquePointer
    private let repository: GitRepository

    init(_ repository: GitRepository) throws(LibGit2Failure) {
        var index: OpaquePointer?
        try LibGit2.check(git_index_new(&index), "make an index")
        guard let index else { throw LibGit2Failure(code: -1, operation: "make an index") }
        self.index = index
        self.repository = repository
    }

    deinit {
        git_index_free(index)
    }

    /// Holds exactly the files of `commit` (none when nil).
    func reset(to commit: GitObjectID?) throws(LibGit2Failure) {
        guard let commit else {
            try LibGit2.check(git_index_clear(index), "clear the index")
            return
        }
        var tree: OpaquePointer?
        var oid = try repository.treeID(ofCommit: commit).oid
        try LibGit2.check(git_tree_lookup(&tree, repository.pointer, &oid), "read the tree of \(commit.short)")
        defer { git_tree_free(tree) }
        try LibGit2.check(git_index_read_tree(index, tree), "read the tree of \(commit.short)")
    }

    /// Stores `contents` as a blob, byte for byte (no filters), and stages it at `path`.
    func write(_ path: String, contents: Data, executable: Bool) throws(LibGit2Failure) {
        var entry = git_index_entry()
        let stored = contents.withUnsafeBytes { bytes in
            git_blob_create_from_buffer(&entry.id, repository.pointer, bytes.baseAddress, bytes.count)
        }
        try LibGit2.check(stored, "store \(path)")
        entry.mode = executable ? 0o100755 : 0o100644
        entry.file_size = UInt32(truncatingIfNeeded: contents.count)
        let added = path.withCString { cPath in
            entry.path = cPath
            return git_index_add(index, &entry)
        }
        try LibGit2.check(added, "add \(path)")
    }

    /// Unstages a file, or a folder and everything under it; a path that is not there is fine.
    func remove(_ path: String) throws(LibGit2Failure) {
        if git_index_get_bypath(index, path, 0) != nil {
            try LibGit2.check(git_index_remove(index, path, 0), "remove \(path)")
        } else {
            try LibGit2.check(git_index_remove_directory(index, path, 0), "remove \(path)")
        }
    }

    /// Writes the staged files as a tree in the repository.
    func writeTree() throws(LibGit2Failure) -> GitObjectID {
        var tree = git_oid()
        try LibGit2.check(git_index_write_tree_to(&tree, index, repository.pointer), "write the tree")
        return GitObjectID(tree)
    }

    var isEmpty: Bool { git_index_entrycount(index) == 0 }

    /// What is staged at `path`: a file, a symbolic link (with its target), a folder, or nothing.
    func entry(at path: String) -> StagedEntry {
        if let entry = git_index_get_bypath(index, path, 0)?.pointee {
            guard entry.mode == 0o120000 else { return .file }
            var oid = entry.id
            var blob: OpaquePointer?
            guard git_blob_lookup(&blob, repository.pointer, &oid) == 0 else { return .symbolicLink(target: "?") }
            defer { git_blob_free(blob) }
            let bytes = UnsafeRawBufferPointer(start: git_blob_rawcontent(blob), count: Int(git_blob_rawsize(blob)))
            return .symbolicLink(target: String(decoding: bytes, as: UTF8.self))
        }
        var position = 0
        return git_index_find_prefix(&position, index, path + "/") == 0 ? .folder : .none
    }
}

enum StagedEntry: Equatable {
    case none, file, folder
    case symbolicLink(target: String)
}
