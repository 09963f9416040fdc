import Foundation
import GafferCore
import GafferGit
import GafferTestSupport
import Logging

/// A temporary folder with a workspace cache and room for remote repositories.
struct GitFixture {
    let directory: TemporaryDirectory
    let workspaces: GitWorkspaces

    init(limits: FileSetLimits = FileSetLimits(), maxCredentialRequests: Int = 1, logger: Logger = Logger(label: "test")) throws {
        directory = try TemporaryDirectory("gaffer-git")
        try FileManager.default.createDirectory(at: directory.url.appendingPathComponent("remotes"), withIntermediateDirectories: true)
        workspaces = try GitWorkspaces(
            root: directory.url.appendingPathComponent("cache").path,
            settings: GitWorkspaces.Settings(
                identity: try GitIdentity(name: "gaffer[bot]", email: "4242+gaffer[bot]@users.noreply.github.com"),
                limits: limits,
                maxCredentialRequests: maxCredentialRequests
            ),
            logger: logger
        )
    }

    var remotes: URL { directory.url.appendingPathComponent("remotes") }

    func bareRemote(_ name: String = "web") async throws -> BareRemote {
        try await BareRemote.create(in: remotes, name: name)
    }

    /// A remote whose `main` has one commit (a README).
    func seededRemote(_ name: String = "web") async throws -> BareRemote {
        let bare = try await bareRemote(name)
        try await bare.commit(["README.md": "\(name)\n"])
        return bare
    }

    /// Prepares `branch` from `base`, applies `files`, commits and pushes: the whole job.
    func publish(
        _ files: FileSet,
        to remote: GitRemote,
        branch: String = "gaffer/issue-12",
        base: String = "main",
        start: BranchStart = .base,
        push mode: PushMode = .forceWithLease,
        job: String = UUID().uuidString
    ) async throws -> (CommitOutcome, PushOutcome?) {
        try await workspaces.withWorkspace(for: remote, job: job) { workspace in
            try await workspace.prepareBranch(branch, from: base, start: start)
            try await workspace.apply(files)
            let commit = try await workspace.commit(message: "Add the files", coAuthors: [try .gitHubUser(login: "alice", id: 7)])
            guard commit.commit != nil else { return (commit, nil) }
            return (commit, try await workspace.push(mode))
        }
    }

    func remove() {
        directory.remove()
    }
}

extension FileSet {
    static func sample(_ files: [String: String]) -> FileSet {
        var set = FileSet()
        for (path, text) in files.sorted(by: { $0.key < $1.key }) {
            set.write(path, text)
        }
        return set
    }
}
