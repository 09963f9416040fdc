import ArgumentParser
import Foundation
import GafferAWS
import GafferCore

/// `gaffer aws`: AWS tools for operators.
struct AWSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "aws", abstract: "AWS tools.", subcommands: [AWSSignCommand.self])
}

/// `gaffer aws sign`: every step of a SigV4 signature for a raw HTTP request, for when AWS refuses one.
struct AWSSignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Print the canonical request, the string to sign, the signature and the signed request for a raw HTTP request.",
        discussion: """
            The context is JSON as in AWS's SigV4 test suite: {"credentials": {"access_key_id", "secret_access_key", "token"}, \
            "region", "service", "timestamp" (ISO 8601), "normalize", "sign_body", "expiration_in_seconds"}.
            """)

    @Option(help: "The signing context (JSON).")
    var context: String

    @Option(help: "The raw HTTP request: request line, headers, a blank line, the body.")
    var request: String

    @Flag(help: "Presign: put the signature in the query string instead of the headers.")
    var query = false

    struct Context: Decodable {
        struct Credentials: Decodable {
            let access_key_id: String
            let secret_access_key: String
            let token: String?
        }

        let credentials: Credentials
        let region: String
        let service: String
        let timestamp: String
        let normalize: Bool?
        let sign_body: Bool?
        let expiration_in_seconds: Int?
    }

    func run() throws {
        let parsed: Context
        do {
            parsed = try JSONDecoder().decode(Context.self, from: Data(try CommandSupport.readInput(context).utf8))
        } catch let error as DecodingError {
            throw ValidationError("\(context) is not a signing context: \(Self.explain(error))")
        }
        guard let date = ISO8601DateFormatter().date(from: parsed.timestamp) else {
            throw ValidationError("timestamp '\(parsed.timestamp)' is not ISO 8601, such as 2015-08-30T12:36:00Z")
        }
        let parts: HTTPRequestParts
        do {
            parts = try HTTPRequestParts.parse(try CommandSupport.readInput(request))
        } catch let error as HTTPRequestParts.ParseError {
            throw ValidationError("\(request): \(error)")
        }
        var signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: parsed.credentials.access_key_id, secretAccessKey: Secret(parsed.credentials.secret_access_key),
                                        sessionToken: parsed.credentials.token.map(Secret.init)),
            region: parsed.region, service: parsed.service)
        if let normalize = parsed.normalize { signer.normalizePath = normalize }
        if let signBody = parsed.sign_body { signer.signBody = signBody }
        let signature = query
            ? signer.presign(parts, at: date, expires: parsed.expiration_in_seconds ?? 3600)
            : signer.sign(parts, at: date)
        let signed = query ? parts.text(addingQuery: signature.additions) : parts.text(addingHeaders: signature.additions)
        print("canonical request:\n\(signature.canonicalRequest)\n\nstring to sign:\n\(signature.stringToSign)\n\nsignature: \(signature.signature)\n\nsigned request:\n\(signed)")
    }

    static func explain(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "the key \(key.stringValue) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        @unknown default: "\(error)"
        }
    }
}
