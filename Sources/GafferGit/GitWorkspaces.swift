import Foundation
import GafferCore
import Logging

/// The repository cache and its job workspaces.
///
/// Under `root`: `mirrors/<remote>.git`, one bare mirror per remote repository,
/// fetched for each job; `workspaces/<remote>/<job>`, one bare repository per
/// job that borrows the mirror's objects; `locks/<remote>.lock`. A repository
/// is worked on by one job at a time, and a workspace is removed when its job
/// is done; one left behind by a process that died is removed the next time
/// its repository is used, or by `removeStaleWorkspaces()`.
public final class GitWorkspaces: Sendable {
    public struct Settings: Sendable {
        /// Who commits: Gaffer's bot identity.
        public var identity: GitIdentity
        public var limits: FileSetLimits
        /// How often libgit2 may ask for credentials in one operation before it is an authentication failure.
        public var maxCredentialRequests: Int

        public init(identity: GitIdentity, limits: FileSetLimits = FileSetLimits(), maxCredentialRequests: Int = 1) {
            self.identity = identity
            self.limits = limits
            self.maxCredentialRequests = maxCredentialRequests
        }
    }

    public let root: String
    public let settings: Settings
    private let pool: GitThreadPool
    private let locks: RepositoryLocks
    /// Task locks shared with the other machines (the PostgreSQL store), held around this machine's own.
    private let sharedLocks: (any SharedLocks)?
    private let logger: Logger

    public init(
        root: String,
        settings: Settings,
        pool: GitThreadPool = .shared,
        sharedLocks: (any SharedLocks)? = nil,
        logger: Logger = Logger(label: "gaffer.git")
    ) throws {
        let files = FileManager.default
        for folder in ["mirrors", "workspaces", "locks"] {
            try files.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        // Paths are compared after resolving links, so the root must be resolved too.
        self.root = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        self.settings = settings
        self.pool = pool
        self.locks = RepositoryLocks(directory: self.root + "/locks")
        self.sharedLocks = sharedLocks
        self.logger = logger
    }

    /// Gives `body` a fresh workspace for `remote`, once no other job is using the repository.
    public func withWorkspace<T: Sendable>(
        for remote: GitRemote,
        job: String,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (GitWorkspace) async throws -> T
    ) async throws -> T {
        let key = remote.cacheKey
        let started = ContinuousClock.now
        let lockFile = try await locks.acquire(key)
        let waited = ContinuousClock.now - started
        var logger = logger
        logger[metadataKey: "remote"] = "\(remote.url)"
        logger[metadataKey: "job"] = "\(job)"
        if waited > .milliseconds(100) {
            logger.info("waited for another job on this repository", metadata: ["waited_ms": "\(waited.milliseconds)"])
        }
        let repositoryFolder = root + "/workspaces/" + key
        let directory = repositoryFolder + "/" + Self.folderName(job)
        let outcome: Result<T, any Error>
        do {
            let stale = try removeContents(of: repositoryFolder)
            if stale > 0 {
                logger.notice("removed workspaces left by jobs that did not finish", metadata: ["count": "\(stale)"])
            }
            let workspace = try await makeWorkspace(at: directory, remote: remote, logger: logger)
            outcome = .success(try await body(workspace))
        } catch {
            outcome = .failure(error)
        }
        try? FileManager.default.removeItem(atPath: directory)
        await locks.release(key, file: lockFile)
        return try outcome.get()
    }

    /// Runs `body` once no other job, in this process or another sharing the cache (or the shared
    /// locks, on any machine), runs under `name`: so the work for one task runs one job at a time.
    /// A process that dies lets go.
    public func exclusively<T: Sendable>(
        _ name: String,
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        guard let sharedLocks else { return try await locally(name, isolation: isolation, body) }
        return try await sharedLocks.exclusively(name, isolation: isolation) { try await locally(name, isolation: isolation, body) }
    }

    private func locally<T: Sendable>(_ name: String, isolation: isolated (any Actor)?, _ body: () async throws -> T) async throws -> T {
        let key = "task-" + String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
        let lockFile = try await locks.acquire(key)
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await body())
        } catch {
            outcome = .failure(error)
        }
        await locks.release(key, file: lockFile)
        return try outcome.get()
    }

    /// Removes every workspace no job is using (in this process or another); returns how many.
    @discardableResult
    public func removeStaleWorkspaces() async throws -> Int {
        var removed = 0
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: root + "/workspaces")) ?? []
        for key in folders {
            guard let lockFile = try await locks.tryAcquire(key) else { continue }
            removed += (try? removeContents(of: root + "/workspaces/" + key)) ?? 0
            await locks.release(key, file: lockFile)
        }
        return removed
    }

    private func makeWorkspace(at directory: String, remote: GitRemote, logger: Logger) async throws -> GitWorkspace {
        let mirror = RepositoryMirror(path: root + "/mirrors/" + remote.cacheKey + ".git")
        let settings = settings
        let pool = pool
        return try await pool.run {
            do throws(LibGit2Failure) {
                // The mirror must exist before the workspace opens its object database, or the alternate is skipped.
                if !FileManager.default.fileExists(atPath: mirror.path) {
                    _ = try GitRepository.create(mirror.path, bare: true)
                }
                _ = try GitRepository.create(directory, bare: true)
                // Borrow the mirror's objects (git's alternates) instead of copying them.
                let alternates = directory + "/objects/info/alternates"
                guard FileManager.default.createFile(atPath: alternates, contents: Data((mirror.path + "/objects\n").utf8)) else {
                    throw LibGit2Failure(code: -1, operation: "write \(alternates)")
                }
                let repository = try GitRepository.open(directory)
                return try GitWorkspace(repository: repository, remote: remote, mirror: mirror, pool: pool, settings: settings, logger: logger)
            } catch {
                throw error.gitError
            }
        }
    }

    private func removeContents(of folder: String) throws -> Int {
        let files = FileManager.default
        guard files.fileExists(atPath: folder) else {
            try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
            return 0
        }
        let entries = try files.contentsOfDirectory(atPath: folder)
        for entry in entries {
            try files.removeItem(atPath: folder + "/" + entry)
        }
        return entries.count
    }

    /// A folder name for a job ID: safe characters only, never empty.
    static func folderName(_ job: String) -> String {
        let safe = String(job.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" }.prefix(80))
        return safe.isEmpty ? "job" : safe
    }
}
