import CLibGit2
import Foundation

/// An open libgit2 repository: the few calls Gaffer makes on one, each freeing what it allocates.
///
/// Not thread-safe, like `git_repository` itself: its owner makes one call at a time.
final class GitRepository {
    let pointer: OpaquePointer
    let path: String

    private init(pointer: OpaquePointer, path: String) {
        self.pointer = pointer
        self.path = path
    }

    deinit {
        git_repository_free(pointer)
    }

    static func open(_ path: String) throws(LibGit2Failure) -> GitRepository {
        LibGit2.initialize()
        var repository: OpaquePointer?
        try LibGit2.check(git_repository_open(&repository, path), "open the repository at \(path)")
        guard let repository else { throw LibGit2Failure(code: -1, operation: "open the repository at \(path)") }
        return GitRepository(pointer: repository, path: path)
    }

    static func create(_ path: String, bare: Bool) throws(LibGit2Failure) -> GitRepository {
        LibGit2.initialize()
        var repository: OpaquePointer?
        try LibGit2.check(git_repository_init(&repository, path, bare ? 1 : 0), "create a repository at \(path)")
        guard let repository else { throw LibGit2Failure(code: -1, operation: "create a repository at \(path)") }
        return GitRepository(pointer: repository, path: path)
    }

    /// The object a reference points at, or nil when there is no such reference.
    func target(of referenceName: String) throws(LibGit2Failure) -> GitObjectID? {
        var oid = git_oid()
        let code = git_reference_name_to_id(&oid, pointer, referenceName)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try LibGit2.check(code, "read \(referenceName)")
        return GitObjectID(oid)
    }

    /// The names of the local branches (`refs/heads/...` without the prefix), sorted.
    func branchNames() throws(LibGit2Failure) -> [String] {
        var names = git_strarray()
        try LibGit2.check(git_reference_list(&names, pointer), "list the branches")
        defer { git_strarray_dispose(&names) }
        return (0..<names.count).compactMap { index in
            names.strings[index].map { String(cString: $0) }
        }
        .filter { $0.hasPrefix("refs/heads/") }
        .map { String($0.dropFirst("refs/heads/".count)) }
        .sorted()
    }

    /// The tree of a commit.
    func treeID(ofCommit id: GitObjectID) throws(LibGit2Failure) -> GitObjectID {
        var commit: OpaquePointer?
        var oid = id.oid
        try LibGit2.check(git_commit_lookup(&commit, pointer, &oid), "read commit \(id.short)")
        defer { git_commit_free(commit) }
        guard let tree = git_commit_tree_id(commit) else { throw LibGit2Failure(code: -1, operation: "read the tree of \(id.short)") }
        return GitObjectID(tree)
    }

    /// Points `referenceName` at `id`, creating or moving it.
    func setReference(_ referenceName: String, to id: GitObjectID, message: String) throws(LibGit2Failure) {
        var reference: OpaquePointer?
        var oid = id.oid
        try LibGit2.check(git_reference_create(&reference, pointer, referenceName, &oid, 1, message), "set \(referenceName)")
        git_reference_free(reference)
    }

    /// Runs one fetch or push through an anonymous remote, which libgit2 never writes to the configuration.
    func withRemote<T>(_ remote: GitRemote, _ body: (OpaquePointer) throws(LibGit2Failure) -> T) throws(LibGit2Failure) -> T {
        var handle: OpaquePointer?
        try LibGit2.check(git_remote_create_anonymous(&handle, pointer, remote.url), "use the remote \(remote.url)")
        guard let handle else { throw LibGit2Failure(code: -1, operation: "use the remote \(remote.url)") }
        defer { git_remote_free(handle) }
        return try body(handle)
    }
}

/// A `git_strarray` of copies of `strings` for the length of `body`.
func withStringArray<T>(_ strings: [String], _ body: (inout git_strarray) throws(LibGit2Failure) -> T) throws(LibGit2Failure) -> T {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    return try pointers.withUnsafeMutableBufferPointer { buffer throws(LibGit2Failure) -> T in
        var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
        return try body(&array)
    }
}
