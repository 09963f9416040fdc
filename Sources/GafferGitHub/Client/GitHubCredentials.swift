import Foundation
import GafferCore
import JWTKit

/// How Gaffer proves who it is to GitHub.
public enum GitHubCredentials: Sendable {
    /// A personal or fine-grained token.
    case token(Secret)
    /// A GitHub App: its app id or client id (the JWT's `iss`) and its private key in PEM.
    case app(id: String, privateKeyPEM: Secret)
}

/// The claims of a GitHub App's JWT. Whoever verifies one checks the times
/// against its own clock (GitHub's, or the sandbox's), so `verify` checks none.
public struct GitHubAppJWTClaims: JWTPayload {
    public var iss: IssuerClaim
    public var iat: IssuedAtClaim
    public var exp: ExpirationClaim

    public init(iss: IssuerClaim, iat: IssuedAtClaim, exp: ExpirationClaim) {
        self.iss = iss
        self.iat = iat
        self.exp = exp
    }

    public func verify(using algorithm: some JWTAlgorithm) throws {}
}

/// The JWT a GitHub App signs to ask for installation tokens: RS256, `iat` 60 s
/// in the past for clock drift, `exp` 9 minutes ahead (GitHub allows 10).
struct AppJWTSigner: Sendable {

    let appID: String
    let keys: JWTKeyCollection

    init(appID: String, privateKeyPEM: Secret) async throws {
        let key: Insecure.RSA.PrivateKey
        do {
            key = try Insecure.RSA.PrivateKey(pem: privateKeyPEM.revealed)
        } catch {
            throw GitHubClientError(
                "the GitHub App private key is not an RSA private key in PEM form (-----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)"
            )
        }
        self.appID = appID
        keys = JWTKeyCollection()
        await keys.add(rsa: key, digestAlgorithm: .sha256)
    }

    func token(now: Date) async throws -> Secret {
        let payload = GitHubAppJWTClaims(
            iss: IssuerClaim(value: appID),
            iat: IssuedAtClaim(value: now.addingTimeInterval(-60)),
            exp: ExpirationClaim(value: now.addingTimeInterval(9 * 60))
        )
        return Secret(try await keys.sign(payload))
    }
}

/// Installation tokens, fetched with the app's JWT, cached per installation and
/// renewed 5 minutes before they expire (or at once after a 401).
actor InstallationTokenCache {
    private struct Cached {
        var token: Secret
        var expiresAt: Date
    }

    private let signer: AppJWTSigner
    private let clock: any WallClock
    private var cache: [Int64: Cached] = [:]
    private var inFlight: [Int64: Task<Cached, any Error>] = [:]

    init(signer: AppJWTSigner, clock: any WallClock) {
        self.signer = signer
        self.clock = clock
    }

    func appJWT() async throws -> Secret {
        try await signer.token(now: clock.now())
    }

    /// A valid token for the installation; `fetch` asks GitHub for a new one with the JWT.
    func token(
        for installation: Int64,
        renew: Bool,
        fetch: @escaping @Sendable (Secret) async throws -> (token: Secret, expiresAt: Date)
    ) async throws -> Secret {
        if !renew, let cached = cache[installation], cached.expiresAt.timeIntervalSince(clock.now()) > 300 {
            return cached.token
        }
        // Callers that arrive while a token is being fetched share that fetch.
        if let running = inFlight[installation] { return try await running.value.token }
        let signer = self.signer
        let now = clock.now()
        let task = Task<Cached, any Error> {
            let fresh = try await fetch(try await signer.token(now: now))
            return Cached(token: fresh.token, expiresAt: fresh.expiresAt)
        }
        inFlight[installation] = task
        defer { inFlight[installation] = nil }
        let fresh = try await task.value
        cache[installation] = fresh
        return fresh.token
    }
}
