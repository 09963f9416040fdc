import Foundation
import GafferCore

/// The inputs of one signature as JSON, in the format of AWS's SigV4 test suite:
/// `{"credentials": {"access_key_id", "secret_access_key", "token"}, "region", "service",
/// "timestamp" (ISO 8601), "normalize", "sign_body", "omit_session_token", "expiration_in_seconds"}`.
/// `gaffer aws sign` reads it, and the conformance tests read the suite's.
public struct SigningContext: Decodable, Sendable {
    struct Credentials: Decodable, Sendable {
        let access_key_id: String
        let secret_access_key: String
        let token: String?
    }

    let credentials: Credentials
    let region: String
    let service: String
    public let timestamp: String
    let normalize: Bool?
    let sign_body: Bool?
    let omit_session_token: Bool?
    let expiration_in_seconds: Int?

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Decodes the JSON, saying which key is wrong when it cannot.
    public static func decode(_ data: Data) throws(Invalid) -> SigningContext {
        do {
            return try JSONDecoder().decode(SigningContext.self, from: data)
        } catch let error as DecodingError {
            switch error {
            case .keyNotFound(let key, _): throw Invalid(description: "the key \(key.stringValue) is missing")
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                throw Invalid(description: "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)")
            @unknown default: throw Invalid(description: "\(error)")
            }
        } catch {
            throw Invalid(description: "\(error)")
        }
    }

    /// The moment to sign at.
    public func date() throws(Invalid) -> Date {
        guard let date = ISO8601DateFormatter().date(from: timestamp) else {
            throw Invalid(description: "timestamp '\(timestamp)' is not ISO 8601, such as 2015-08-30T12:36:00Z")
        }
        return date
    }

    public var expiresIn: Int { expiration_in_seconds ?? 3600 }

    /// A signer with these credentials, region and service, and the context's path and body choices.
    public func signer() -> SigV4Signer {
        var signer = SigV4Signer(
            credentials: AWSCredentials(
                accessKeyID: credentials.access_key_id,
                secretAccessKey: Secret(credentials.secret_access_key),
                sessionToken: credentials.token.map(Secret.init)
            ),
            region: region,
            service: service
        )
        if let normalize { signer.normalizePath = normalize }
        if let sign_body { signer.signBody = sign_body }
        if let omit_session_token { signer.omitSessionToken = omit_session_token }
        return signer
    }
}
