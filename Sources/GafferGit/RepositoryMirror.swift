import CLibGit2
import Foundation

/// The cache's copy of one remote repository: a bare repository that is fetched
/// for each job instead of cloned, and whose objects job workspaces borrow.
struct RepositoryMirror {
    let path: String

    /// Creates the mirror if needed and fetches every branch, dropping branches
    /// the remote no longer has; returns the remote's branch tips.
    func update(from remote: GitRemote, maxCredentialRequests: Int) throws(GitError) -> [String: GitObjectID] {
        let state = RemoteCallbackState(remote: remote, maxCredentialRequests: maxCredentialRequests)
        do {
            let repository =
                FileManager.default.fileExists(atPath: path)
                ? try GitRepository.open(path)
                : try GitRepository.create(path, bare: true)
            try withExtendedLifetime(state) { () throws(LibGit2Failure) in
                try repository.withRemote(remote) { handle throws(LibGit2Failure) in
                    var options = git_fetch_options()
                    try LibGit2.check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "prepare a fetch")
                    options.prune = GIT_FETCH_PRUNE
                    options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
                    state.install(into: &options.callbacks)
                    try withStringArray(["+refs/heads/*:refs/heads/*"]) { refspecs throws(LibGit2Failure) in
                        try LibGit2.check(git_remote_fetch(handle, &refspecs, &options, "gaffer: fetch"), "fetch from")
                    }
                }
            }
            var tips: [String: GitObjectID] = [:]
            for branch in try repository.branchNames() {
                tips[branch] = try repository.target(of: "refs/heads/" + branch)
            }
            return tips
        } catch {
            throw error.operation == "fetch from" ? state.failure(error, branch: nil) : error.gitError
        }
    }
}
