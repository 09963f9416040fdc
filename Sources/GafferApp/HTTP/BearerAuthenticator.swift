import Crypto
import Foundation
import GafferCore
import Hummingbird

/// Checks `Authorization: Bearer <token>` against the configured API token,
/// in constant time. With no token configured the API is closed.
struct BearerAuthenticator: Sendable {
    private let expectedDigest: SHA256Digest?

    init(token: Secret?) {
        expectedDigest = token.map { SHA256.hash(data: Data($0.revealed.utf8)) }
    }

    /// The answer to send when the request may not proceed, or nil when it may.
    func refusal(for request: Request) -> Response? {
        guard let expectedDigest else {
            return JSONResponse.error(
                .forbidden,
                code: "api_disabled",
                message: "the jobs API is off because no token is configured; set GAFFER_API_TOKEN (or api_token) and restart"
            )
        }
        let challenge: HTTPFields = [.wwwAuthenticate: "Bearer realm=\"gaffer\""]
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            return JSONResponse.error(
                .unauthorized,
                code: "unauthenticated",
                message: "send the API token as Authorization: Bearer <token>",
                headers: challenge
            )
        }
        // Comparing fixed-size digests keeps the time independent of where
        // the tokens differ and of the token's length.
        let given = SHA256.hash(data: Data(header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces).utf8))
        guard given == expectedDigest else {
            return JSONResponse.error(.unauthorized, code: "bad_token", message: "the API token is not valid", headers: challenge)
        }
        return nil
    }
}
