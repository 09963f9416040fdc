import CLibGit2
import Foundation

/// What libgit2's remote callbacks need and what they learn, for one fetch or push.
///
/// libgit2 calls C function pointers that cannot capture Swift values, so this
/// object travels as their `payload`. It lives on the pool thread that runs the
/// operation and is read there once libgit2 returns.
final class RemoteCallbackState {
    let remote: GitRemote
    /// How many times libgit2 may ask for credentials: it asks again after every
    /// 401, forever, so a wrong token must end the loop.
    let maxCredentialRequests: Int
    private(set) var credentialRequests = 0
    private(set) var authenticationFailed = false
    /// The server's per-ref answer to a push: nil for accepted, or its reason.
    private(set) var refStatuses: [String: String?] = [:]
    /// What the server printed on the sideband (hook output, "remote: ..." lines).
    private(set) var remoteOutput = ""
    /// For force-with-lease: the ref and the value it must still have on the server.
    var lease: (ref: String, expected: GitObjectID?)?
    private(set) var brokenLease: (expected: GitObjectID?, found: GitObjectID?)?
    /// The fingerprint of an SSH host key that is not one of the trusted ones.
    private(set) var untrustedHostKey: String?

    init(remote: GitRemote, maxCredentialRequests: Int) {
        self.remote = remote
        self.maxCredentialRequests = maxCredentialRequests
    }

    var scrubbedRemoteOutput: String {
        remote.scrub(remoteOutput.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Fills `callbacks` to call back into this object; keep the object alive while they can be called.
    func install(into callbacks: inout git_remote_callbacks) {
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        callbacks.credentials = { out, _, usernameFromURL, allowedTypes, payload in
            guard let out, let state = RemoteCallbackState.from(payload) else { return -1 }
            return state.acquireCredential(out, usernameFromURL: usernameFromURL.map { String(cString: $0) }, allowedTypes: allowedTypes)
        }
        callbacks.certificate_check = { certificate, _, _, payload in
            guard let certificate, let state = RemoteCallbackState.from(payload) else { return -1 }
            // TLS certificates: libgit2's own verification against the system's authorities.
            guard certificate.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else { return GIT_PASSTHROUGH.rawValue }
            let hostKey = UnsafeRawPointer(certificate).assumingMemoryBound(to: git_cert_hostkey.self).pointee
            return state.checkHostKey(hostKey)
        }
        callbacks.sideband_progress = { text, length, payload in
            guard let text, let state = RemoteCallbackState.from(payload) else { return 0 }
            let bytes = UnsafeRawBufferPointer(start: text, count: Int(length))
            state.remoteOutput += String(decoding: bytes, as: UTF8.self)
            return 0
        }
        callbacks.push_update_reference = { refname, status, payload in
            guard let refname, let state = RemoteCallbackState.from(payload) else { return 0 }
            state.refStatuses[String(cString: refname)] = status.map { String(cString: $0) }
            return 0
        }
        callbacks.push_negotiation = { updates, count, payload in
            guard let state = RemoteCallbackState.from(payload), let lease = state.lease else { return 0 }
            for index in 0..<count {
                guard let update = updates?[index]?.pointee, let destination = update.dst_refname,
                    String(cString: destination) == lease.ref
                else { continue }
                let current = GitObjectID(update.src)
                let found = current.isZero ? nil : current
                if found != lease.expected {
                    state.brokenLease = (lease.expected, found)
                    return -1
                }
            }
            return 0
        }
    }

    private static func from(_ payload: UnsafeMutableRawPointer?) -> RemoteCallbackState? {
        payload.map { Unmanaged<RemoteCallbackState>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Accepts an SSH server only when its key's SHA-256 fingerprint is one of the configured ones.
    private func checkHostKey(_ hostKey: git_cert_hostkey) -> Int32 {
        guard hostKey.type.rawValue & GIT_CERT_SSH_SHA256.rawValue != 0 else {
            untrustedHostKey = "(no SHA-256 fingerprint offered)"
            return GIT_ECERTIFICATE.rawValue
        }
        let digest = withUnsafeBytes(of: hostKey.hash_sha256) { Data($0) }
        let fingerprint = "SHA256:" + digest.base64EncodedString().trimmingCharacters(in: CharacterSet(charactersIn: "="))
        guard case .sshKey(_, _, _, let trusted) = remote.credentials, trusted.contains(fingerprint) else {
            untrustedHostKey = fingerprint
            return GIT_ECERTIFICATE.rawValue
        }
        return 0
    }

    private func acquireCredential(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>,
        usernameFromURL: String?,
        allowedTypes: UInt32
    ) -> Int32 {
        // SSH asks for the user name first when the URL has none; that is not an attempt to log in.
        if allowedTypes & GIT_CREDENTIAL_USERNAME.rawValue != 0 && allowedTypes & GIT_CREDENTIAL_SSH_KEY.rawValue == 0 {
            return git_credential_username_new(out, usernameFromURL ?? "git")
        }
        credentialRequests += 1
        // A second request means the server refused what was offered the first time.
        guard credentialRequests <= maxCredentialRequests, !remote.credentials.isNone else {
            authenticationFailed = true
            return GIT_EUSER.rawValue
        }
        switch remote.credentials {
        case .none:
            return GIT_EUSER.rawValue
        case .token(let token, let username):
            guard allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0 else { return GIT_PASSTHROUGH.rawValue }
            return git_credential_userpass_plaintext_new(out, username, token.revealed)
        case .sshKey(let privateKey, let publicKey, let passphrase, _):
            guard allowedTypes & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 else { return GIT_PASSTHROUGH.rawValue }
            return git_credential_ssh_key_new(out, usernameFromURL ?? "git", publicKey, privateKey, passphrase?.revealed)
        }
    }

    /// The error for a failed remote call, preferring what the callbacks learned over libgit2's message.
    func failure(_ failure: LibGit2Failure, branch: String?) -> GitError {
        if let untrustedHostKey {
            return .untrustedHostKey(remote: remote.url, fingerprint: untrustedHostKey)
        }
        if authenticationFailed || failure.code == GIT_EAUTH.rawValue {
            return .authenticationFailed(remote: remote.url, hadCredentials: !remote.credentials.isNone)
        }
        if let brokenLease, let branch {
            return .leaseBroken(remote: remote.url, branch: branch, expected: brokenLease.expected, found: brokenLease.found)
        }
        if failure.code == GIT_ENONFASTFORWARD.rawValue, let branch {
            return .nonFastForward(remote: remote.url, branch: branch)
        }
        return .remoteFailed(remote: remote.url, operation: failure.operation, message: remote.scrub(failure.message))
    }
}
