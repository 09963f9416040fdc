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

    func run() throws {
        let parsed: SigningContext
        let date: Date
        do {
            parsed = try SigningContext.decode(Data(try CommandSupport.readInput(context).utf8))
            date = try parsed.date()
        } catch let error as SigningContext.Invalid {
            throw ValidationError("\(context) is not a signing context: \(error)")
        }
        let parts: HTTPRequestParts
        do {
            parts = try HTTPRequestParts.parse(try CommandSupport.readInput(request))
        } catch let error as HTTPRequestParts.ParseError {
            throw ValidationError("\(request): \(error)")
        }
        let signer = parsed.signer()
        let signature = query
            ? signer.presign(parts, at: date, expires: parsed.expiresIn)
            : signer.sign(parts, at: date)
        let signed = query ? parts.text(addingQuery: signature.additions) : parts.text(addingHeaders: signature.additions)
        print("canonical request:\n\(signature.canonicalRequest)\n\nstring to sign:\n\(signature.stringToSign)\n\nsignature: \(signature.signature)\n\nsigned request:\n\(signed)")
    }
}
