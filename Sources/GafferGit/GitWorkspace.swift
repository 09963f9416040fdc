import CLibGit2
import Foundation
import GafferCore
import Logging

/// One job's repository: a branch, the files an agent wrote, a commit and a push.
///
/// Made by `GitWorkspaces.withWorkspace`, which gives it to one job at a time.
/// It is a bare repository that borrows the mirror's objects (git's
/// alternates), and the files being committed are staged in memory
/// (`StagedTree`), so making one costs neither a clone nor a checkout. Every
/// libgit2 call runs on the `GitThreadPool`.
public final class GitWorkspace: @unchecked Sendable {
    // @unchecked: `state` is only used inside `locked`, which holds `lock`.
    private let lock = NSLock()
    private let state: State
    private let mirror: RepositoryMirror
    private let pool: GitThreadPool
    private let settings: GitWorkspaces.Settings
    private let logger: Logger

    /// What libgit2 holds for the workspace; not thread-safe, so only touched under the lock.
    private final class State {
        let repository: GitRepository
        let staged: StagedTree
        var branch: PreparedBranch?

        init(_ repository: GitRepository) throws(LibGit2Failure) {
            self.repository = repository
            staged = try StagedTree(repository)
            try NewObjects.keepInMemory(repository)
        }
    }

    /// The remote this workspace pushes to.
    public let remote: GitRemote
    /// The workspace's repository folder (removed when the job is done).
    public let path: String

    init(
        repository: GitRepository,
        remote: GitRemote,
        mirror: RepositoryMirror,
        pool: GitThreadPool,
        settings: GitWorkspaces.Settings,
        logger: Logger
    ) throws(LibGit2Failure) {
        self.state = try State(repository)
        self.path = state.repository.path
        self.logger = logger
        self.remote = remote
        self.mirror = mirror
        self.pool = pool
        self.settings = settings
    }

    private func locked<T: Sendable>(_ body: @escaping @Sendable (State) throws -> T) async throws -> T {
        try await pool.run { [self] in
            lock.lock()
            defer { lock.unlock() }
            return try body(state)
        }
    }

    /// Fetches the remote and starts `branch`: from `base` when `start` is
    /// `.base` (or the branch does not exist yet), from the branch's tip when `.existingBranch`.
    /// On an empty remote the branch starts with no commits.
    @discardableResult
    public func prepareBranch(_ name: String, from base: String, start: BranchStart = .base) async throws -> PreparedBranch {
        let refName = "refs/heads/" + name
        for candidate in [name, base] {
            var valid: Int32 = 0
            guard git_reference_name_is_valid(&valid, "refs/heads/" + candidate) == 0, valid == 1 else {
                throw GitError.invalidBranchName(candidate)
            }
        }
        let remote = remote, mirror = mirror, settings = settings, logger = logger
        return try await locked { state in
            let started = ContinuousClock.now
            let tips = try mirror.update(from: remote, maxCredentialRequests: settings.maxCredentialRequests)
            logger.debug("fetched", metadata: ["branches": "\(tips.count)", "ms": "\(started.duration(to: .now).milliseconds)"])
            let baseTip = tips[base]
            let remoteTip = tips[name]
            let startPoint = start == .existingBranch ? remoteTip ?? baseTip : baseTip
            // An empty remote has no base yet; otherwise a missing base is a mistake, unless the branch is continued.
            if startPoint == nil && !tips.isEmpty {
                throw GitError.baseNotFound(remote: remote.url, base: base, branches: tips.keys.sorted())
            }
            do throws(LibGit2Failure) {
                if let startPoint {
                    try state.repository.setReference(refName, to: startPoint, message: "gaffer: start \(name)")
                }
                try LibGit2.check(git_repository_set_head(state.repository.pointer, refName), "start \(name)")
                try state.staged.reset(to: startPoint)
            } catch {
                throw error.gitError
            }
            let result = PreparedBranch(name: name, base: base, baseCommit: baseTip, remoteTip: remoteTip, startPoint: startPoint)
            state.branch = result
            return result
        }
    }

    /// Fetches the remote and writes the files of `commit` into `directory`, as a checkout
    /// would (executable bits and links as committed; no `.git`), so a pipeline runs on
    /// exactly the commit it reports on. Returns the remote's branch tips, to tell whether
    /// a newer commit has arrived.
    @discardableResult
    public func checkout(_ commit: GitObjectID, to directory: String) async throws -> [String: GitObjectID] {
        let remote = remote, mirror = mirror, settings = settings
        return try await locked { state in
            let tips = try mirror.update(from: remote, maxCredentialRequests: settings.maxCredentialRequests)
            do throws(LibGit2Failure) {
                var oid = commit.oid
                var object: OpaquePointer?
                guard git_object_lookup(&object, state.repository.pointer, &oid, GIT_OBJECT_COMMIT) == 0 else {
                    throw LibGit2Failure(code: -1, operation: "find commit \(commit.short) on \(remote.url)")
                }
                defer { git_object_free(object) }
                var options = git_checkout_options()
                try LibGit2.check(git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), "prepare a checkout")
                options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue
                guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil else {
                    throw LibGit2Failure(code: -1, operation: "make the folder \(directory)")
                }
                let code = directory.withCString { target in
                    options.target_directory = target
                    return git_checkout_tree(state.repository.pointer, object, &options)
                }
                try LibGit2.check(code, "check out \(commit.short) into \(directory)")
            } catch {
                throw error.gitError
            }
            return tips
        }
    }

    /// Stages the file set, after checking all of it: when any path is
    /// refused, nothing is staged.
    public func apply(_ fileSet: FileSet) async throws {
        let validator = FileSetValidator(limits: settings.limits)
        try await locked { state in
            guard let branch = state.branch else {
                throw GitError.libgit2(operation: "stage files", code: -1, message: "prepareBranch must come first")
            }
            let problems = validator.problems(in: fileSet, against: state.staged)
            guard problems.isEmpty else {
                throw GitError.fileSetRefused(problems, fileCount: fileSet.count)
            }
            do throws(LibGit2Failure) {
                for change in fileSet.changes {
                    switch change {
                    case .write(let path, let contents, let executable):
                        try state.staged.write(path, contents: contents, executable: executable)
                    case .delete(let path):
                        try state.staged.remove(path)
                    }
                }
            } catch {
                // A failure half way leaves the branch's files, not half a set.
                try? state.staged.reset(to: state.repository.target(of: "refs/heads/" + branch.name))
                throw error.gitError
            }
        }
    }

    /// Commits the staged files on the branch. Returns `.unchanged` without committing
    /// when the files are what the branch already has (on the remote too), so a
    /// job that runs twice does not add a second commit.
    public func commit(message: String, author: GitIdentity? = nil, coAuthors: [GitIdentity] = [], date: Date = Date()) async throws -> CommitOutcome
    {
        let identity = author ?? settings.identity
        let text = Self.commitMessage(message, coAuthors: coAuthors)
        return try await locked { state in
            guard let branch = state.branch else { throw GitError.libgit2(operation: "commit", code: -1, message: "prepareBranch must come first") }
            do throws(LibGit2Failure) {
                let tree = try state.staged.writeTree()
                let head = try state.repository.target(of: "refs/heads/" + branch.name)
                if let head, try state.repository.treeID(ofCommit: head) == tree {
                    return .unchanged(head)
                }
                if let remoteTip = branch.remoteTip, try state.repository.treeID(ofCommit: remoteTip) == tree {
                    // Same files as the remote branch already has: adopt it rather than make an equal commit.
                    try state.repository.setReference("refs/heads/" + branch.name, to: remoteTip, message: "gaffer: up to date")
                    return .unchanged(remoteTip)
                }
                if head == nil, state.staged.isEmpty {
                    return .unchanged(nil)
                }
                return .created(try Self.createCommit(state.repository, tree: tree, parent: head, identity: identity, message: text, date: date))
            } catch {
                throw error.gitError
            }
        }
    }

    /// Pushes the branch. `.plain` refuses to overwrite commits on the remote;
    /// `.forceWithLease` replaces the remote branch only if it is still where it
    /// was when the branch was prepared (for branches Gaffer owns).
    public func push(_ mode: PushMode = .plain) async throws -> PushOutcome {
        let remote = remote, settings = settings, logger = logger
        return try await locked { state in
            guard let branch = state.branch else { throw GitError.libgit2(operation: "push", code: -1, message: "prepareBranch must come first") }
            let refName = "refs/heads/" + branch.name
            guard let local = try Self.target(state.repository, refName) else {
                throw GitError.libgit2(operation: "push \(branch.name)", code: -1, message: "the branch has no commits; commit first")
            }
            if local == branch.remoteTip {
                return PushOutcome(branch: branch.name, previous: branch.remoteTip, pushed: local, changed: false, remoteOutput: "")
            }
            let callbacks = RemoteCallbackState(remote: remote, maxCredentialRequests: settings.maxCredentialRequests)
            if mode == .forceWithLease {
                callbacks.lease = (refName, branch.remoteTip)
            }
            let refspec = (mode == .forceWithLease ? "+" : "") + refName + ":" + refName
            do throws(LibGit2Failure) {
                try withExtendedLifetime(callbacks) { () throws(LibGit2Failure) in
                    try state.repository.withRemote(remote) { handle throws(LibGit2Failure) in
                        var options = git_push_options()
                        try LibGit2.check(git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)), "prepare a push")
                        callbacks.install(into: &options.callbacks)
                        options.pb_parallelism = 0  // one packing thread per core
                        try withStringArray([refspec]) { refspecs throws(LibGit2Failure) in
                            try LibGit2.check(git_remote_push(handle, &refspecs, &options), "push to")
                        }
                    }
                }
            } catch {
                throw callbacks.failure(error, branch: branch.name)
            }
            // libgit2 returns success even when the server refused the ref; its answer is here.
            if let answer = callbacks.refStatuses[refName], let reason = answer {
                if reason.contains("non-fast-forward") || reason.contains("fetch first") {
                    throw GitError.nonFastForward(remote: remote.url, branch: branch.name)
                }
                throw GitError.pushRejected(
                    remote: remote.url,
                    ref: refName,
                    reason: remote.scrub(reason),
                    remoteOutput: callbacks.scrubbedRemoteOutput
                )
            }
            logger.info(
                "pushed",
                metadata: [
                    "branch": "\(branch.name)", "from": "\(branch.remoteTip?.short ?? "none")", "to": "\(local.short)", "mode": "\(mode)",
                ]
            )
            let pushed = PreparedBranch(
                name: branch.name,
                base: branch.base,
                baseCommit: branch.baseCommit,
                remoteTip: local,
                startPoint: branch.startPoint
            )
            state.branch = pushed
            return PushOutcome(
                branch: branch.name,
                previous: branch.remoteTip,
                pushed: local,
                changed: true,
                remoteOutput: callbacks.scrubbedRemoteOutput
            )
        }
    }

    /// What the branch changes against its base, for a pull request's body.
    public func diffStat() async throws -> DiffStat {
        try await locked { state in
            guard let branch = state.branch else { return DiffStat(files: []) }
            do throws(LibGit2Failure) {
                let head = try state.repository.target(of: "refs/heads/" + branch.name)
                return try Self.diffStat(state.repository, from: branch.baseCommit, to: head)
            } catch {
                throw error.gitError
            }
        }
    }

    /// What `head` changes since it left `base` (from their merge base, as a pull request's diff is):
    /// the objects must be in the mirror, as after `checkout`.
    public func changes(from base: GitObjectID, to head: GitObjectID) async throws -> DiffStat {
        try await locked { state in
            do throws(LibGit2Failure) {
                var mergeBase = git_oid()
                var one = base.oid
                var two = head.oid
                try LibGit2.check(git_merge_base(&mergeBase, state.repository.pointer, &one, &two), "find where the branch left its base")
                return try Self.diffStat(state.repository, from: GitObjectID(mergeBase), to: head)
            } catch {
                throw error.gitError
            }
        }
    }

    // MARK: - libgit2 work, always on a pool thread with the lock held

    private static func target(_ repository: GitRepository, _ refName: String) throws -> GitObjectID? {
        do throws(LibGit2Failure) {
            return try repository.target(of: refName)
        } catch {
            throw error.gitError
        }
    }

    private static func createCommit(
        _ repository: GitRepository,
        tree treeID: GitObjectID,
        parent parentID: GitObjectID?,
        identity: GitIdentity,
        message: String,
        date: Date
    ) throws(LibGit2Failure) -> GitObjectID {
        var signature: UnsafeMutablePointer<git_signature>?
        try LibGit2.check(
            git_signature_new(&signature, identity.name, identity.email, git_time_t(date.timeIntervalSince1970), 0),
            "make the commit signature"
        )
        defer { git_signature_free(signature) }
        var tree: OpaquePointer?
        var treeOID = treeID.oid
        try LibGit2.check(git_tree_lookup(&tree, repository.pointer, &treeOID), "read the tree")
        defer { git_tree_free(tree) }
        var parent: OpaquePointer?
        if let parentID {
            var parentOID = parentID.oid
            try LibGit2.check(git_commit_lookup(&parent, repository.pointer, &parentOID), "read the parent commit")
        }
        defer { git_commit_free(parent) }
        var parents: [OpaquePointer?] = parent.map { [$0] } ?? []
        var commit = git_oid()
        try LibGit2.check(
            git_commit_create(&commit, repository.pointer, "HEAD", signature, signature, "UTF-8", message, tree, parents.count, &parents),
            "commit"
        )
        return GitObjectID(commit)
    }

    /// The message, ending in one newline, with a `Co-authored-by:` trailer per co-author not already named in it.
    static func commitMessage(_ message: String, coAuthors: [GitIdentity]) -> String {
        var text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        let trailers = coAuthors.map { "Co-authored-by: \($0)" }.filter { !text.contains($0) }
        if !trailers.isEmpty {
            text += "\n\n" + trailers.joined(separator: "\n")
        }
        return text + "\n"
    }

    private static func diffStat(_ repository: GitRepository, from base: GitObjectID?, to head: GitObjectID?) throws(LibGit2Failure) -> DiffStat {
        guard let head else { return DiffStat(files: []) }
        func tree(_ commit: GitObjectID?) throws(LibGit2Failure) -> OpaquePointer? {
            guard let commit else { return nil }
            var tree: OpaquePointer?
            var oid = try repository.treeID(ofCommit: commit).oid
            try LibGit2.check(git_tree_lookup(&tree, repository.pointer, &oid), "read the tree")
            return tree
        }
        let oldTree = try tree(base)
        defer { git_tree_free(oldTree) }
        let newTree = try tree(head)
        defer { git_tree_free(newTree) }
        var diff: OpaquePointer?
        try LibGit2.check(git_diff_tree_to_tree(&diff, repository.pointer, oldTree, newTree, nil), "compare with the base")
        defer { git_diff_free(diff) }
        try LibGit2.check(git_diff_find_similar(diff, nil), "find renames")
        var files: [DiffStat.File] = []
        for index in 0..<git_diff_num_deltas(diff) {
            var patch: OpaquePointer?
            try LibGit2.check(git_patch_from_diff(&patch, diff, index), "compare a file")
            defer { git_patch_free(patch) }
            guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
            var context = 0, insertions = 0, deletions = 0
            try LibGit2.check(git_patch_line_stats(&context, &insertions, &deletions, patch), "count changed lines")
            let change: DiffStat.Change =
                switch delta.status {
                case GIT_DELTA_ADDED: .added
                case GIT_DELTA_DELETED: .deleted
                case GIT_DELTA_RENAMED: .renamed
                case GIT_DELTA_TYPECHANGE: .typeChanged
                default: .modified
                }
            let path = (delta.status == GIT_DELTA_DELETED ? delta.old_file.path : delta.new_file.path).map { String(cString: $0) } ?? "?"
            files.append(
                DiffStat.File(
                    path: path,
                    change: change,
                    insertions: insertions,
                    deletions: deletions,
                    binary: delta.flags & GIT_DIFF_FLAG_BINARY.rawValue != 0
                )
            )
        }
        return DiffStat(files: files)
    }
}

extension Duration {
    /// Whole milliseconds, for log lines.
    var milliseconds: Int64 {
        components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000
    }
}

/// Where a prepared branch starts.
public enum BranchStart: Sendable, Equatable {
    /// From the base branch, whatever the branch held before (push with `.forceWithLease`).
    case base
    /// From the branch's tip on the remote when it exists, else from the base.
    case existingBranch
}

/// How a push treats the remote branch.
public enum PushMode: Sendable, Equatable {
    /// Only a fast-forward.
    case plain
    /// Replace the branch, but only if it still points where it did when the branch was prepared.
    case forceWithLease
}

/// A branch checked out in a workspace and what the remote had when it was fetched.
public struct PreparedBranch: Sendable, Equatable {
    public let name: String
    public let base: String
    /// The base's tip (nil when the remote is empty).
    public let baseCommit: GitObjectID?
    /// The branch's tip on the remote (nil when it does not exist there).
    public let remoteTip: GitObjectID?
    /// The commit the branch was checked out at (nil when it has none yet).
    public let startPoint: GitObjectID?
}

public enum CommitOutcome: Sendable, Equatable {
    case created(GitObjectID)
    /// Nothing to commit: the branch already has these files (at this commit, nil if none).
    case unchanged(GitObjectID?)

    public var commit: GitObjectID? {
        switch self {
        case .created(let id): id
        case .unchanged(let id): id
        }
    }
}

public struct PushOutcome: Sendable, Equatable {
    public let branch: String
    /// Where the remote branch was before (nil when the push created it).
    public let previous: GitObjectID?
    public let pushed: GitObjectID
    /// False when the remote already had this commit and nothing was sent.
    public let changed: Bool
    /// What the server printed (hook messages), with any secret removed.
    public let remoteOutput: String
}
