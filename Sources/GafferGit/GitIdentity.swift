import Foundation

/// A name and email address as git records them in a commit.
public struct GitIdentity: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let email: String

    /// Refuses what git cannot store: an empty part, angle brackets or a line break.
    public init(name: String, email: String) throws(GitError) {
        for (label, value) in [("name", name), ("email", email)] {
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw .invalidIdentity("the \(label) is empty")
            }
            guard !value.contains(where: { "<>\n\r\0".contains($0) }) else {
                throw .invalidIdentity("the \(label) '\(value)' contains '<', '>' or a line break")
            }
        }
        self.name = name
        self.email = email
    }

    /// A GitHub user, with the no-reply address GitHub attributes to them.
    public static func gitHubUser(login: String, id: Int64? = nil) throws(GitError) -> GitIdentity {
        let local = id.map { "\($0)+\(login)" } ?? login
        return try GitIdentity(name: login, email: "\(local)@users.noreply.github.com")
    }

    /// `Name <email>`, as in a `Co-authored-by:` trailer.
    public var description: String { "\(name) <\(email)>" }
}
