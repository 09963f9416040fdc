import ArgumentParser
import Foundation
import GafferApp
import GafferCore
import GafferGit

/// `gaffer git`: git tools for operators.
struct GitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "git",
        abstract: "Commit and push files the way Gaffer's agents do.",
        subcommands: [PushFilesCommand.self]
    )
}

/// `gaffer git push-files`: commits a directory's files onto a branch and pushes it, with libgit2.
struct PushFilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push-files",
        abstract: "Commit the files under DIR onto a branch and push it.",
        discussion: """
            The branch starts from its tip on the remote when it exists (and is pushed as a fast-forward), \
            or from --base; with --start-over it starts from --base and replaces the remote branch, but only \
            if nobody pushed to it since it was fetched (force-with-lease). Files that match the branch \
            already make no commit. Exit 0 when pushed or up to date, 1 when git failed, 2 for bad input.
            """
    )

    @Option(help: "The remote repository: https://, http://, ssh://, git://, file:// or a path.")
    var remote: String

    @Option(help: "The branch to commit on.")
    var branch: String

    @Option(help: "The branch to start from when the branch does not exist yet.")
    var base: String = "main"

    @Option(help: "The commit message.")
    var message: String

    @Option(name: .customLong("token-env"), help: "An environment variable holding an HTTPS token (sent as x-access-token).")
    var tokenEnvironmentVariable: String?

    @Option(name: .customLong("ssh-key"), help: "An SSH private key for ssh:// remotes (default: git_ssh_key_file).")
    var sshKey: String?

    @Option(name: .customLong("ssh-host-key"), help: "A trusted SSH host key fingerprint, SHA256:... (repeat; default: git_ssh_host_keys).")
    var sshHostKeys: [String] = []

    @Option(name: .customLong("co-author"), help: "'Name <email>' for a Co-authored-by trailer (repeat for several).")
    var coAuthors: [String] = []

    @Option(name: .customLong("delete"), help: "A path to delete from the branch (repeat for several).")
    var deletions: [String] = []

    @Flag(name: .customLong("start-over"), help: "Start from --base and replace the remote branch (force-with-lease).")
    var startOver = false

    @OptionGroup var options: ConfigOption

    @Argument(help: "The directory whose files are committed (paths relative to it).")
    var directory: String

    func run() async throws {
        let configuration = try CommandSupport.loadConfiguration(options, needs: [])
        let remote: GitRemote
        var files: FileSet
        let workspaces: GitWorkspaces
        let coAuthors: [GitIdentity]
        do {
            remote = try GitRemote(url: self.remote, credentials: try credentials(configuration))
            files = try FileSet.contents(ofDirectory: directory)
            deletions.forEach { files.delete($0) }
            coAuthors = try self.coAuthors.map(Self.identity)
            workspaces = try GitWorkspaces(
                root: configuration.gitCacheRoot.path,
                settings: try configuration.gitSettings(),
                logger: CommandSupport.bootstrap(configuration)
            )
        } catch {
            FileHandle.standardError.write(Data("gaffer: \(error)\n".utf8))
            throw ExitCode(2)
        }
        do {
            let job = "push-files-\(ProcessInfo.processInfo.processIdentifier)"
            let summary = try await workspaces.withWorkspace(for: remote, job: job) { workspace in
                let prepared = try await workspace.prepareBranch(branch, from: base, start: startOver ? .base : .existingBranch)
                try await workspace.apply(files)
                let commit = try await workspace.commit(message: message, coAuthors: coAuthors)
                let stat = try await workspace.diffStat()
                guard case .created = commit else {
                    return "up to date: \(branch) on \(remote.url) already has these files (\(commit.commit?.short ?? "no commits"))"
                }
                let push = try await workspace.push(startOver ? .forceWithLease : .plain)
                let from = prepared.remoteTip.map { "\($0.short)..\(push.pushed.short)" } ?? "new branch at \(push.pushed.short)"
                return "pushed \(branch) to \(remote.url) (\(from)): \(stat)"
            }
            print(summary)
        } catch {
            FileHandle.standardError.write(Data("gaffer: \(error)\n".utf8))
            throw ExitCode((error as? GitError)?.isBadInput == true ? 2 : 1)
        }
    }

    private func credentials(_ configuration: GafferConfiguration) throws -> GitCredentials {
        if let sshKey {
            let publicKey = FileManager.default.fileExists(atPath: sshKey + ".pub") ? sshKey + ".pub" : nil
            return .sshKey(
                privateKeyPath: sshKey,
                publicKeyPath: publicKey,
                passphrase: configuration.gitSSHKeyPassphrase,
                hostKeys: sshHostKeys.isEmpty ? configuration.gitSSHHostKeys : sshHostKeys
            )
        }
        guard let name = tokenEnvironmentVariable else {
            let isSSH = remote.hasPrefix("ssh://") || (!remote.contains("://") && !remote.hasPrefix("/"))
            return isSSH ? configuration.gitSSHCredentials ?? .none : .none
        }
        guard let token = ProcessInfo.processInfo.environment[name], !token.isEmpty else {
            throw ValidationError("the environment variable \(name) (--token-env) is not set or is empty")
        }
        return .token(Secret(token))
    }

    /// Reads "Name <email>".
    static func identity(_ text: String) throws -> GitIdentity {
        guard let open = text.firstIndex(of: "<"), text.hasSuffix(">") else {
            throw ValidationError("--co-author '\(text)' should look like 'Alice Example <alice@example.com>'")
        }
        let name = text[..<open].trimmingCharacters(in: .whitespaces)
        let email = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        return try GitIdentity(name: name, email: email)
    }
}
