import Foundation

/// A person signed in to the dashboard: who, how, the token its forms carry, and when it ends.
/// The cookie holds a random token; only its SHA-256 is kept, so the store cannot be used to sign in.
public struct DashboardSession: Sendable, Hashable, Codable {
    public enum Via: String, Sendable, Hashable, Codable {
        /// Signed in through GitHub: approvals follow the person's permission on the repository.
        case github
        /// The operator's token: sees everything and may pause, but is nobody on GitHub.
        case operatorToken = "operator"
    }

    public var login: String
    public var via: Via
    /// Sent back with every form and `POST`: a page from elsewhere cannot know it.
    public var csrf: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(login: String, via: Via, csrf: String, createdAt: Date, expiresAt: Date) {
        self.login = login
        self.via = via
        self.csrf = csrf
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Where dashboard sessions are kept, by the hash of their token.
public protocol DashboardSessionStore: Sendable {
    func saveSession(_ session: DashboardSession, tokenHash: String) async throws
    /// The session, or nil when there is none or it has expired by `now`.
    func session(tokenHash: String, now: Date) async throws -> DashboardSession?
    func deleteSession(tokenHash: String) async throws
    /// Removes the sessions expired by `now`; returns how many.
    @discardableResult func deleteExpiredSessions(now: Date) async throws -> Int
}
