import CLibGit2

/// Keeps the objects a job writes in memory until they are pushed.
///
/// Written one by one, a thousand files would be a thousand loose object
/// files, created and then deleted with the workspace; held in memory they
/// cost nothing until the push packs them for the remote. The file sets they
/// come from are in memory already and bounded by `FileSetLimits`.
enum NewObjects {
    /// Puts an in-memory store in front of the repository's object database; the database owns it.
    static func keepInMemory(_ repository: GitRepository) throws(LibGit2Failure) {
        var backend: UnsafeMutablePointer<git_odb_backend>?
        try LibGit2.check(git_mempack_new(&backend), "make an in-memory object store")
        guard let backend else { throw LibGit2Failure(code: -1, operation: "make an in-memory object store") }
        var database: OpaquePointer?
        try LibGit2.check(git_repository_odb(&database, repository.pointer), "open the object database")
        defer { git_odb_free(database) }
        // Highest priority, so new objects are written here first.
        try LibGit2.check(git_odb_add_backend(database, backend, 999), "add the in-memory object store")
    }
}
