import Foundation

/// GitHub's OAuth web flow, as the sandbox plays it: registered OAuth apps, one-time codes that
/// expire in ten minutes, and user tokens that `/user` answers for.
extension SandboxState {
    struct OAuthApp: Sendable {
        var clientID: String
        var clientSecret: String
    }

    struct OAuthCode: Sendable {
        var login: String
        var clientID: String
        var redirectURI: String
        var expiresAt: Date
    }

    public func registerOAuthApp(clientID: String, clientSecret: String) {
        oauthApps[clientID] = OAuthApp(clientID: clientID, clientSecret: clientSecret)
    }

    func oauthApp(_ clientID: String) -> OAuthApp? { oauthApps[clientID] }

    /// The people one may sign in as, in login order (bots and organisations are not people).
    func people() -> [User] {
        users.values.filter { $0.type == "User" }.sorted { $0.login.lowercased() < $1.login.lowercased() }
    }

    /// A code for `login`, given to the app's redirect URI once the person authorised it.
    func issueOAuthCode(login: String, clientID: String, redirectURI: String) throws -> String {
        guard oauthApps[clientID] != nil else { throw SandboxError(404, "no OAuth app has the client id \(clientID)") }
        guard let user = user(login), user.type == "User" else { throw SandboxError(404, "there is no user \(login)") }
        let code = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        oauthCodes[String(code)] = OAuthCode(
            login: user.login,
            clientID: clientID,
            redirectURI: redirectURI,
            expiresAt: now().addingTimeInterval(600)
        )
        return String(code)
    }

    /// GitHub's answer to `POST /login/oauth/access_token`: a token, or the error fields GitHub sends with 200.
    func exchangeOAuthCode(clientID: String, clientSecret: String, code: String, redirectURI: String?) -> [String: String] {
        guard let app = oauthApps[clientID], app.clientSecret == clientSecret else {
            return ["error": "incorrect_client_credentials", "error_description": "The client_id and/or client_secret passed are incorrect."]
        }
        // A code is used once, whatever the outcome, as GitHub's are.
        guard let issued = oauthCodes.removeValue(forKey: code), issued.clientID == clientID, issued.expiresAt > now() else {
            return ["error": "bad_verification_code", "error_description": "The code passed is incorrect or expired."]
        }
        if let redirectURI, redirectURI != issued.redirectURI {
            return [
                "error": "redirect_uri_mismatch",
                "error_description": "The redirect_uri MUST match the registered callback URL for this application.",
            ]
        }
        let token = "gho_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        oauthTokens[token] = issued.login
        return ["access_token": token, "token_type": "bearer", "scope": ""]
    }
}
