import Foundation

/// Who Gaffer is to GitHub, for `gaffer github check`.
extension GitHubClient {
    public func app() async throws -> GitHubAppInfo {
        try await send("GET", "/app", as: .app, decoding: GitHubAppInfo.self)
    }

    public func installations() async throws -> [GitHubInstallation] {
        try await send(
            "GET",
            "/app/installations",
            query: [URLQueryItem(name: "per_page", value: "100")],
            as: .app,
            decoding: [GitHubInstallation].self
        )
    }

    /// The user a personal token belongs to.
    public func authenticatedUser() async throws -> GitHubUser {
        try await send("GET", "/user", as: .token, decoding: GitHubUser.self)
    }

    /// The login Gaffer's comments carry: the app's bot user, or the personal token's user.
    public func ownLogin() async throws -> String {
        switch credentials {
        case .app:
            guard let slug = try await app().slug else {
                throw GitHubClientError("GitHub did not give the app's slug, so Gaffer cannot tell its own comments")
            }
            return slug + "[bot]"
        case .token:
            return try await authenticatedUser().login
        }
    }
}
