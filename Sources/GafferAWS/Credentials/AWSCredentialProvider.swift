import Foundation
import GafferCore

/// Credentials, when they stop working, and where they came from.
public struct ResolvedCredentials: Sendable {
    public let credentials: AWSCredentials
    public let expiration: Date?
    /// "environment (AWS_ACCESS_KEY_ID)", "profile dev in ~/.aws/credentials": shown by `gaffer aws whoami`.
    public let source: String

    public init(credentials: AWSCredentials, expiration: Date? = nil, source: String) {
        self.credentials = credentials
        self.expiration = expiration
        self.source = source
    }
}

/// Somewhere credentials come from.
public protocol AWSCredentialProvider: Sendable {
    func resolve() async throws -> ResolvedCredentials
}

/// Fixed credentials: Gaffer's configuration, the environment, a profile's keys.
public struct StaticCredentialProvider: AWSCredentialProvider {
    let resolved: ResolvedCredentials

    public init(_ credentials: AWSCredentials, source: String) {
        resolved = ResolvedCredentials(credentials: credentials, source: source)
    }

    public func resolve() async throws -> ResolvedCredentials { resolved }
}

/// Keeps credentials until shortly before they expire, then fetches new ones; callers
/// that arrive during a fetch share it. When a refresh fails while the old credentials
/// are still valid, the old ones are used (the SDKs do the same).
public actor CachedCredentialProvider: AWSCredentialProvider {
    let inner: any AWSCredentialProvider
    let clock: any WallClock
    /// Refresh this long before expiry, so a request never goes out with credentials about to lapse.
    let refreshWindow: TimeInterval
    private var current: ResolvedCredentials?
    private var refreshing: Task<ResolvedCredentials, any Error>?

    public init(_ inner: any AWSCredentialProvider, clock: any WallClock = SystemWallClock(), refreshWindow: TimeInterval = 300) {
        self.inner = inner
        self.clock = clock
        self.refreshWindow = refreshWindow
    }

    public func resolve() async throws -> ResolvedCredentials {
        let now = clock.now()
        if let current, current.expiration.map({ $0.timeIntervalSince(now) > refreshWindow }) ?? true { return current }
        let task: Task<ResolvedCredentials, any Error>
        if let refreshing {
            task = refreshing
        } else {
            let inner = inner
            task = Task { try await inner.resolve() }
            refreshing = task
        }
        do {
            let fresh = try await task.value
            refreshing = nil
            current = fresh
            return fresh
        } catch {
            refreshing = nil
            if let current, let expiration = current.expiration, expiration > clock.now() { return current }
            throw error
        }
    }
}

/// Reads the credentials JSON that ECS, IMDS and `credential_process` share:
/// `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration` (ISO 8601).
struct CredentialsDocument: Decodable {
    let accessKeyId: String
    let secretAccessKey: String
    let token: String?
    let expiration: String?
    let code: String?
    let message: String?

    func resolved(source: String) throws -> ResolvedCredentials {
        if let code, code != "Success" { throw AWSClientError("\(source) answered \(code): \(message ?? "no message")") }
        return ResolvedCredentials(
            credentials: AWSCredentials(accessKeyID: accessKeyId, secretAccessKey: Secret(secretAccessKey), sessionToken: token.map(Secret.init)),
            expiration: expiration.flatMap(parseISO8601),
            source: source
        )
    }
}

/// `2026-11-21T13:14:09Z`, with or without fractional seconds.
func parseISO8601(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)
}
