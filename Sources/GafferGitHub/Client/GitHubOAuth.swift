import AsyncHTTPClient
import Foundation
import GafferCore
import GafferHTTP
import NIOCore

/// GitHub's OAuth web flow, for signing people in: the authorize address people are sent to, the
/// exchange of the code GitHub gives back for a token, and the login that token belongs to.
public protocol GitHubSigningIn: Sendable {
    func authorizeURL(redirectURI: String, state: String) -> URL?
    /// The user's access token for `code`; an error with GitHub's reason when the code is bad or used.
    func exchange(code: String, redirectURI: String) async throws -> Secret
    /// The login of the user the token belongs to (`GET /user`).
    func login(token: Secret) async throws -> String
}

/// The real flow against GitHub (or the sandbox, which serves the same endpoints).
public struct GitHubOAuth: GitHubSigningIn {
    public let webURL: URL
    public let apiURL: URL
    public let clientID: String
    public let clientSecret: Secret

    public init(webURL: URL, apiURL: URL, clientID: String, clientSecret: Secret) {
        self.webURL = webURL
        self.apiURL = apiURL
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    private static func joined(_ base: URL, _ path: String) -> String {
        let text = base.absoluteString
        return (text.hasSuffix("/") ? String(text.dropLast()) : text) + path
    }

    public func authorizeURL(redirectURI: String, state: String) -> URL? {
        var components = URLComponents(string: Self.joined(webURL, "/login/oauth/authorize"))
        // No scope: the login is all Gaffer reads, and permissions are asked of GitHub with Gaffer's own credentials.
        components?.queryItems = [
            URLQueryItem(name: "client_id", value: clientID), URLQueryItem(name: "redirect_uri", value: redirectURI),
            URLQueryItem(name: "state", value: state), URLQueryItem(name: "allow_signup", value: "false"),
        ]
        return components?.url
    }

    private struct TokenAnswer: Decodable {
        var accessToken: String?
        var error: String?
        var errorDescription: String?
        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
            case error
            case errorDescription = "error_description"
        }
    }

    public func exchange(code: String, redirectURI: String) async throws -> Secret {
        var request = HTTPClientRequest(url: Self.joined(webURL, "/login/oauth/access_token"))
        request.method = .POST
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        var form = URLComponents()
        form.queryItems = [
            URLQueryItem(name: "client_id", value: clientID), URLQueryItem(name: "client_secret", value: clientSecret.revealed),
            URLQueryItem(name: "code", value: code), URLQueryItem(name: "redirect_uri", value: redirectURI),
        ]
        // `+` stays literal in a query but means a space in a form: encode it.
        let body = (form.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await OutboundHTTPClient.shared.execute(request, timeout: .seconds(15))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        // GitHub answers 200 with an `error` field for a bad code.
        let answer = try? JSONDecoder().decode(TokenAnswer.self, from: Data(bytes.readableBytesView))
        guard response.status == .ok, let token = answer?.accessToken, !token.isEmpty else {
            throw GitHubClientError(
                "GitHub did not give a token for the sign-in (HTTP \(response.status.code)\(answer?.error.map { ": \($0)" } ?? "")"
                    + "\(answer?.errorDescription.map { ", \($0)" } ?? ""))"
            )
        }
        return Secret(token)
    }

    public func login(token: Secret) async throws -> String {
        var request = HTTPClientRequest(url: Self.joined(apiURL, "/user"))
        request.headers.add(name: "Authorization", value: "Bearer \(token.revealed)")
        request.headers.add(name: "Accept", value: "application/vnd.github+json")
        request.headers.add(name: "User-Agent", value: "gaffer")
        let response = try await OutboundHTTPClient.shared.execute(request, timeout: .seconds(15))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok, let user = try? JSONDecoder().decode(GitHubUser.self, from: Data(bytes.readableBytesView)) else {
            throw GitHubClientError("GitHub did not say who signed in (GET /user answered HTTP \(response.status.code))")
        }
        return user.login
    }
}
