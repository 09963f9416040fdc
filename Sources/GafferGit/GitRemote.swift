import Foundation
import GafferCore

/// A remote repository and the credentials to reach it.
///
/// The URL is kept without credentials, so it can be shown in errors and logs
/// as it is; a token written into the URL (`https://user:token@host/...`) is
/// taken out and used as the credential. libgit2 is given the bare URL and asks
/// for the credential through its callback, so the token is never in
/// `.git/config` or any other file.
public struct GitRemote: Sendable, Equatable {
    /// The URL without user name or password: safe to print.
    public let url: String
    public let credentials: GitCredentials

    public init(url rawURL: String, credentials: GitCredentials = .none) throws(GitError) {
        let trimmed = rawURL.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw .invalidRemote("''", reason: "the URL is empty")
        }
        guard let schemeEnd = trimmed.range(of: "://") else {
            if trimmed.hasPrefix("/") {
                self.init(url: "file://" + trimmed, credentials: credentials, userInfo: nil)
                return
            }
            // scp-like SSH: git@github.com:owner/repo.git
            if trimmed.contains(":"), !trimmed.contains(" ") {
                self.init(url: trimmed, credentials: credentials, userInfo: nil)
                return
            }
            throw .invalidRemote(
                trimmed,
                reason: "give a URL such as https://github.com/owner/repo.git, git://host/repo.git, file:///path/repo.git or git@host:owner/repo.git"
            )
        }
        let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
        guard ["https", "http", "git", "ssh", "file"].contains(scheme) else {
            throw .invalidRemote(Self.withoutUserInfo(trimmed), reason: "the scheme '\(scheme)' is not supported; use https, http, ssh, git or file")
        }
        let afterScheme = trimmed[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        let at = authority.lastIndex(of: "@")
        if scheme == "ssh", let at, authority[..<at].contains(":") {
            // SSH logs in with a key; a password in the URL would only be shown, so it is refused unseen.
            throw .invalidRemote(
                Self.withoutUserInfo(trimmed),
                reason: "an ssh:// URL may not carry a password; Gaffer logs in over SSH with a key (--ssh-key, git_ssh_key)"
            )
        }
        let remote: GitRemote
        if let at, scheme != "ssh" {
            let bare = String(trimmed[..<schemeEnd.upperBound]) + String(afterScheme[afterScheme.index(after: at)...])
            remote = GitRemote(url: bare, credentials: credentials, userInfo: String(authority[..<at]))
        } else {
            remote = GitRemote(url: trimmed, credentials: credentials, userInfo: nil)
        }
        if scheme == "http", case .token = remote.credentials,
            !Self.isLoopback(host: at.map { authority[authority.index(after: $0)...] } ?? authority)
        {
            throw .invalidRemote(
                remote.url,
                reason: "plain http would send the token in the clear; use https (http is allowed only to this machine: localhost, 127.0.0.1, ::1)"
            )
        }
        self = remote
    }

    /// Whether `host` (with an optional port) names this machine.
    static func isLoopback<S: StringProtocol>(host authority: S) -> Bool {
        var host = String(authority)
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            host = String(host[..<colon])
        }
        host = host.lowercased()
        return host == "localhost" || host == "::1"
            || (host.hasPrefix("127.") && host.split(separator: ".").count == 4 && host.split(separator: ".").allSatisfy { UInt8($0) != nil })
    }

    private init(url: String, credentials: GitCredentials, userInfo: String?) {
        self.url = url
        guard case .none = credentials, let userInfo, let colon = userInfo.firstIndex(of: ":") else {
            self.credentials = credentials
            return
        }
        let user = String(userInfo[..<colon]).removingPercentEncoding ?? String(userInfo[..<colon])
        let password = String(userInfo[userInfo.index(after: colon)...])
        self.credentials = .token(Secret(password.removingPercentEncoding ?? password), username: user.isEmpty ? GitCredentials.tokenUser : user)
    }

    private static func withoutUserInfo(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<schemeEnd.upperBound]) + rest[rest.index(after: at)...]
    }

    /// A short, stable, file-name-safe name for this remote: readable prefix and a hash of the URL.
    var cacheKey: String {
        let readable = url.split(separator: "://").last.map(String.init) ?? url
        let slug = String(readable.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }.suffix(60))
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in url.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return slug + "-" + String(hash, radix: 16)
    }

    /// Every secret text this remote could reveal; used to scrub error messages.
    var secrets: [String] {
        switch credentials {
        case .none: []
        case .token(let token, _): [token.revealed]
        case .sshKey(_, _, let passphrase, _): passphrase.map { [$0.revealed] } ?? []
        }
    }

    /// `text` with every secret replaced by `***`.
    func scrub(_ text: String) -> String {
        secrets.filter { !$0.isEmpty }.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }
}

/// How Gaffer proves who it is to a remote.
public enum GitCredentials: Sendable, Equatable {
    /// The user name GitHub expects with an installation token.
    public static let tokenUser = "x-access-token"

    case none
    /// HTTPS basic authentication: a GitHub installation token or personal access token.
    case token(Secret, username: String = GitCredentials.tokenUser)
    /// An SSH key pair read from files; the user name comes from the URL (`git` if none).
    /// The server must show one of `hostKeys`, SHA-256 fingerprints as `ssh-keygen -lf` prints them
    /// (`SHA256:...`); a server showing any other key is refused.
    case sshKey(privateKeyPath: String, publicKeyPath: String?, passphrase: Secret?, hostKeys: [String])

    var isNone: Bool {
        if case .none = self { return true }
        return false
    }
}
