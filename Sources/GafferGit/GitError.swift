/// Why a git operation failed, in words a person can act on.
///
/// No case carries a credential: remotes are always shown redacted, and text
/// that comes from libgit2 or the server is scrubbed of the token first.
public enum GitError: Error, Equatable, CustomStringConvertible {
    case invalidRemote(String, reason: String)
    case invalidBranchName(String)
    case invalidIdentity(String)
    case authenticationFailed(remote: String, hadCredentials: Bool)
    case untrustedHostKey(remote: String, fingerprint: String)
    case baseNotFound(remote: String, base: String, branches: [String])
    case fileSetRefused([FileSetProblem], fileCount: Int)
    case nonFastForward(remote: String, branch: String)
    case leaseBroken(remote: String, branch: String, expected: GitObjectID?, found: GitObjectID?)
    case pushRejected(remote: String, ref: String, reason: String, remoteOutput: String)
    case remoteFailed(remote: String, operation: String, message: String)
    case libgit2(operation: String, code: Int32, message: String)
    case unreadableDirectory(path: String, reason: String)

    /// True when the request itself was wrong (a fix is in the caller's hands), not git or the remote.
    public var isBadInput: Bool {
        switch self {
        case .invalidRemote, .invalidBranchName, .invalidIdentity, .fileSetRefused, .unreadableDirectory: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .invalidRemote(let url, let reason):
            return "\(url) is not a remote Gaffer can use: \(reason)"
        case .invalidBranchName(let name):
            return "'\(name)' is not a valid branch name (no spaces, '..', '~', '^', ':', '?', '*', '[', or a trailing '/' or '.lock')"
        case .invalidIdentity(let reason):
            return "invalid commit identity: \(reason)"
        case .authenticationFailed(let remote, let hadCredentials):
            return hadCredentials
                ? "authentication failed for \(remote): the server refused the credentials; check that the token is current and may write to this repository"
                : "authentication failed for \(remote): the server asked for credentials and none are configured; give a token (for example with --token-env)"
        case .untrustedHostKey(let remote, let fingerprint):
            return
                "refused to talk to \(remote): its SSH host key (\(fingerprint)) is not one of the trusted host keys (git_ssh_host_keys); if this is the right server, add that fingerprint"
        case .baseNotFound(let remote, let base, let branches):
            let known =
                branches.isEmpty ? "" : "; its branches are \(branches.prefix(10).joined(separator: ", "))\(branches.count > 10 ? ", ..." : "")"
            return "the base branch '\(base)' does not exist on \(remote)\(known)"
        case .fileSetRefused(let problems, let fileCount):
            let lines = problems.map { "  - \($0)" }.joined(separator: "\n")
            return "refused the file set (\(fileCount) file\(fileCount == 1 ? "" : "s")); nothing was written or committed:\n\(lines)"
        case .nonFastForward(let remote, let branch):
            return
                "\(remote) refused the push to '\(branch)': the branch has commits this workspace does not have (not a fast-forward); start again from the branch's new tip"
        case .leaseBroken(let remote, let branch, let expected, let found):
            return
                "did not overwrite '\(branch)' on \(remote): it moved since Gaffer read it (expected \(expected?.short ?? "no branch"), found \(found?.short ?? "no branch")); someone else pushed to it, so start again from its new tip"
        case .pushRejected(let remote, let ref, let reason, let output):
            let said = output.isEmpty ? "" : "\nthe remote said:\n\(output)"
            return "\(remote) rejected the push to \(ref): \(reason)\(said)"
        case .remoteFailed(let remote, let operation, let message):
            return "could not \(operation) \(remote): \(message)"
        case .libgit2(let operation, _, let message):
            return "git failed to \(operation): \(message)"
        case .unreadableDirectory(let path, let reason):
            return "cannot read \(path): \(reason)"
        }
    }
}

/// One path of a file set that was refused, and why.
public struct FileSetProblem: Equatable, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public var description: String { "\(path): \(reason)" }
}
