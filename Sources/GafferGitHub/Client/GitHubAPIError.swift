import Foundation
import GafferCore

/// GitHub answered with an error: the status and GitHub's own message.
/// Built only from the answer, so it can never carry a token.
public struct GitHubAPIError: Error, Sendable, CustomStringConvertible {
    public var method: String
    public var path: String
    public var status: Int
    public var message: String
    public var documentationURL: String?
    /// GitHub's clock, from the answer's `Date`, to tell a skewed local clock from a bad key.
    public var serverDate: Date?

    init(method: String, path: String, response: GitHubHTTPResponse) {
        self.method = method
        self.path = path
        self.status = response.status
        struct Body: Decodable {
            var message: String?
            var documentation_url: String?
        }
        let body = try? JSONDecoder().decode(Body.self, from: response.body)
        message = body?.message ?? String(decoding: response.body.prefix(200), as: UTF8.self)
        documentationURL = body?.documentation_url
        serverDate = response.headers["date"].flatMap { HTTPDate.parse($0) }
    }

    /// A POST GitHub failed with a 5xx may still have been done, so it was not sent again.
    public var mayHaveBeenDone: Bool { method == "POST" && status >= 500 }

    public var description: String {
        "GitHub answered \(status) to \(method) \(path): \(message)" + (documentationURL.map { " (\($0))" } ?? "")
            + (mayHaveBeenDone ? "; GitHub may have done it anyway, so it was not sent again" : "")
    }
}

/// A failure before GitHub could answer, or an answer Gaffer could not read.
public struct GitHubClientError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
