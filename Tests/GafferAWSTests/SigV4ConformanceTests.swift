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

    func read(_ test: Case, _ file: String) throws -> String {
        try String(contentsOf: test.folder.appendingPathComponent(file), encoding: .utf8)
    }

    @Test(arguments: try cases())
    func signsExactlyAsTheSuite(_ test: Case) throws {
        let context = try SigningContext.decode(Data(try read(test, "context.json").utf8))
        let request = try HTTPRequestParts.parse(try read(test, "request.txt"))
        let signer = context.signer()
        let date = try context.date()

        let header = signer.sign(request, at: date)
        #expect(header.canonicalRequest == (try read(test, "header-canonical-request.txt")))
        #expect(header.stringToSign == (try read(test, "header-string-to-sign.txt")))
        #expect(header.signature == (try read(test, "header-signature.txt")))
        #expect(request.text(addingHeaders: header.additions) == (try read(test, "header-signed-request.txt")))

        let query = signer.presign(request, at: date, expires: context.expiresIn)
        #expect(query.canonicalRequest == (try read(test, "query-canonical-request.txt")))
        #expect(query.stringToSign == (try read(test, "query-string-to-sign.txt")))
        #expect(query.signature == (try read(test, "query-signature.txt")))
        #expect(request.text(addingQuery: query.additions) == (try read(test, "query-signed-request.txt")))
    }

    @Test("22: omit_session_token signs as if there were no token, then adds it to the request")
    func omitSessionToken() throws {
        let root = try Conformance.directory().appendingPathComponent("sigv4")
        let withToken = Case(name: "get-vanilla-with-session-token", folder: root.appendingPathComponent("get-vanilla-with-session-token"))
        let without = Case(name: "get-vanilla", folder: root.appendingPathComponent("get-vanilla"))
        var json = try #require(try JSONSerialization.jsonObject(with: Data(try read(withToken, "context.json").utf8)) as? [String: Any])
        json["omit_session_token"] = true
        let context = try SigningContext.decode(try JSONSerialization.data(withJSONObject: json))
        let request = try HTTPRequestParts.parse(try read(withToken, "request.txt"))
        let token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"

        let header = context.signer().sign(request, at: try context.date())
        #expect(header.canonicalRequest == (try read(without, "header-canonical-request.txt")))
        #expect(header.signature == (try read(without, "header-signature.txt")))
        #expect(request.text(addingHeaders: Array(header.additions.dropLast())) == (try read(without, "header-signed-request.txt")))
        #expect(header.additions.last?.name == "X-Amz-Security-Token" && header.additions.last?.value == token)

        let query = context.signer().presign(request, at: try context.date(), expires: context.expiresIn)
        #expect(query.canonicalRequest == (try read(without, "query-canonical-request.txt")))
        #expect(query.signature == (try read(without, "query-signature.txt")))
        #expect(query.additions.last?.name == "X-Amz-Security-Token" && query.additions.dropLast().last?.name == "X-Amz-Signature")
    }
}
