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
}
