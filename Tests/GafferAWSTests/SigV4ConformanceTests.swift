import Foundation
import GafferAWS
import GafferCore
import GafferTestSupport
import Testing

/// Every case of AWS's SigV4 test suite, for signing in headers and for presigning.
struct SigV4ConformanceTests {
    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let folder: URL
        var description: String { name }
    }

    static func cases() throws -> [Case] {
        let root = try Conformance.directory().appendingPathComponent("sigv4")
        return try FileManager.default.contentsOfDirectory(atPath: root.path).sorted().map { Case(name: $0, folder: root.appendingPathComponent($0)) }
    }

    struct Context: Decodable {
        struct Credentials: Decodable {
            let access_key_id: String
            let secret_access_key: String
            let token: String?
        }

        let credentials: Credentials
        let expiration_in_seconds: Int
        let normalize: Bool
        let region: String
        let service: String
        let sign_body: Bool
        let timestamp: String
    }

    func read(_ test: Case, _ file: String) throws -> String {
        try String(contentsOf: test.folder.appendingPathComponent(file), encoding: .utf8)
    }

    @Test(arguments: try cases())
    func signsExactlyAsTheSuite(_ test: Case) throws {
        let context = try JSONDecoder().decode(Context.self, from: Data(try read(test, "context.json").utf8))
        let request = try HTTPRequestParts.parse(try read(test, "request.txt"))
        var signer = SigV4Signer(
            credentials: AWSCredentials(
                accessKeyID: context.credentials.access_key_id, secretAccessKey: Secret(context.credentials.secret_access_key),
                sessionToken: context.credentials.token.map(Secret.init)),
            region: context.region, service: context.service)
        signer.normalizePath = context.normalize
        signer.signBody = context.sign_body
        let date = try #require(ISO8601DateFormatter().date(from: context.timestamp))

        let header = signer.sign(request, at: date)
        #expect(header.canonicalRequest == (try read(test, "header-canonical-request.txt")))
        #expect(header.stringToSign == (try read(test, "header-string-to-sign.txt")))
        #expect(header.signature == (try read(test, "header-signature.txt")))
        #expect(request.text(addingHeaders: header.additions) == (try read(test, "header-signed-request.txt")))

        let query = signer.presign(request, at: date, expires: context.expiration_in_seconds)
        #expect(query.canonicalRequest == (try read(test, "query-canonical-request.txt")))
        #expect(query.stringToSign == (try read(test, "query-string-to-sign.txt")))
        #expect(query.signature == (try read(test, "query-signature.txt")))
        #expect(request.text(addingQuery: query.additions) == (try read(test, "query-signed-request.txt")))
    }
}
