import Foundation

/// Who Gaffer is to GitHub, for `gaffer github check`.
extension GitHubClient {
    public func app() async throws -> GitHubAppInfo {
        try await send("GET", "/app", as: .app, decoding: GitHubAppInfo.self)
    }

    public func installations() async throws -> [GitHubInstallation] {
        try await send("GET", "/app/installations", query: [URLQueryItem(name: "per_page", value: "100")], as: .app, decoding: [GitHubInstallation].self)
    }

    /// The user a personal token belongs to.
    public func authenticatedUser() async throws -> GitHubUser {
        try await send("GET", "/user", as: .token, decoding: GitHubUser.self)
    }
}
