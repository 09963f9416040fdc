import Foundation
import GafferCore

/// The dashboard's settings: who may see it, GitHub's OAuth app people sign in with, and the address it is reached at.
public struct DashboardSettings: Sendable {
    /// GitHub logins (lowercased) that may sign in (`dashboard_users`).
    public var users: Set<String> = []
    /// `org/team-slug` (lowercased) whose members may sign in (`dashboard_teams`).
    public var teams: Set<String> = []
    /// The GitHub OAuth app (or GitHub App) client people sign in through; without it only the operator token signs in.
    public var oauthClientID: String?
    public var oauthClientSecret: Secret?
    /// Where GitHub's sign-in pages are; nil: worked out from the API's address.
    public var githubWebURL: URL?
    /// The address people reach Gaffer at (`public_url`): the OAuth callback is under it, and cookies are `Secure` when it is https.
    public var publicURL: URL?
    public var sessionHours = 12.0

    public init() {}

    public var oauthConfigured: Bool { oauthClientID != nil && oauthClientSecret != nil }

    /// GitHub's web address for an API address: `api.github.com` is `github.com`, `HOST/api/v3` is `HOST`,
    /// and anything else (the sandbox) serves both.
    public static func webURL(forAPI api: URL) -> URL {
        let text = api.absoluteString.hasSuffix("/") ? String(api.absoluteString.dropLast()) : api.absoluteString
        if api.host?.lowercased() == "api.github.com" { return URL(string: "https://github.com") ?? api }
        if text.hasSuffix("/api/v3") { return URL(string: String(text.dropLast("/api/v3".count))) ?? api }
        return URL(string: text) ?? api
    }
}
