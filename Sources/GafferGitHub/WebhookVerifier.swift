import Crypto
import Foundation
import GafferCore

/// Checks `X-Hub-Signature-256` against the configured webhook secrets.
///
/// Several secrets may be active at once so that one can be rotated: add the
/// new secret, change it on GitHub, then drop the old one. Each comparison
/// takes the same time whatever the bytes, so the answer's timing tells an
/// attacker nothing about how close a guess was.
public struct WebhookVerifier: Sendable {
    public static let headerName = "X-Hub-Signature-256"

    private let keys: [SymmetricKey]

    public init(secrets: [Secret]) {
        keys = secrets.map { SymmetricKey(data: Data($0.revealed.utf8)) }
    }

    /// Why a delivery's signature was refused. The text is safe to send back:
    /// it names no secret and no expected value.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case missing
        case sha1Only
        case malformed
        case mismatch

        public var description: String {
            switch self {
            case .missing: "missing X-Hub-Signature-256 header; set a webhook secret on GitHub"
            case .sha1Only: "only an X-Hub-Signature (SHA-1) header was sent; Gaffer requires X-Hub-Signature-256"
            case .malformed: "X-Hub-Signature-256 is not of the form sha256=<64 hex digits>"
            case .mismatch: "X-Hub-Signature-256 does not match the body for any configured secret"
            }
        }
    }

    /// Returns when `header` is a valid signature of `body` under one of the secrets.
    /// - Parameter sha1Header: the legacy `X-Hub-Signature` value, used only to explain a refusal.
    public func verify(body: some DataProtocol, header: String?, sha1Header: String? = nil) throws(Failure) {
        guard let header, !header.isEmpty else {
            throw sha1Header == nil ? .missing : .sha1Only
        }
        guard let digest = Self.parse(header) else { throw .malformed }
        var matched = false
        // Every key is tried even after a match, so timing does not reveal which matched.
        for key in keys {
            let valid = HMAC<SHA256>.isValidAuthenticationCode(digest, authenticating: body, using: key)
            matched = matched || valid
        }
        if !matched { throw .mismatch }
    }

    /// `sha256=<hex>` for `body` under `secret`: what GitHub sends.
    public static func signature(for body: some DataProtocol, secret: Secret) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.revealed.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    private static func parse(_ header: String) -> [UInt8]? {
        let utf8 = Array(header.utf8)
        let prefix = Array("sha256=".utf8)
        guard utf8.count == prefix.count + 64, utf8.starts(with: prefix) else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        var index = prefix.count
        while index < utf8.count {
            guard let high = HexDigit.value(utf8[index]), let low = HexDigit.value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}
