import Foundation
import GafferTestSupport
import Testing

/// `gaffer aws sign` on a case of AWS's SigV4 test suite prints exactly the suite's steps.
struct AWSSignCommandTests {
    @Test(arguments: [false, true])
    func printsEveryStepOfTheSuite(presigned: Bool) async throws {
        let folder = try Conformance.directory().appendingPathComponent("sigv4/get-vanilla-with-session-token")
        var arguments = [
            "aws", "sign", "--context", folder.appendingPathComponent("context.json").path,
            "--request", folder.appendingPathComponent("request.txt").path,
        ]
        if presigned { arguments.append("--query") }
        let process = try GafferProcess(arguments: arguments, environment: [:])
        defer { process.stop() }
        #expect(try await process.waitForExit() == 0)
        let prefix = presigned ? "query" : "header"
        func expected(_ name: String) throws -> String {
            try String(contentsOf: folder.appendingPathComponent("\(prefix)-\(name).txt"), encoding: .utf8)
        }
        try await waitUntil(timeout: .seconds(10), "the whole output") { process.output.contains("signed request:") }
        let output = process.output
        #expect(output.contains("canonical request:\n" + (try expected("canonical-request")) + "\n\n"))
        #expect(output.contains("string to sign:\n" + (try expected("string-to-sign")) + "\n\n"))
        #expect(output.contains("signature: " + (try expected("signature")) + "\n"))
        #expect(output.contains("signed request:\n" + (try expected("signed-request"))))
    }

    @Test func aBrokenContextSaysWhatIsWrong() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = directory.url.appendingPathComponent("context.json")
        try Data(#"{"region": "us-east-1", "service": "s3", "timestamp": "2015-08-30T12:36:00Z"}"#.utf8).write(to: context)
        let request = directory.url.appendingPathComponent("request.txt")
        try Data("GET / HTTP/1.1\nHost: example.com\n".utf8).write(to: request)
        let process = try GafferProcess(arguments: ["aws", "sign", "--context", context.path, "--request", request.path], environment: [:])
        defer { process.stop() }
        #expect(try await process.waitForExit() != 0)
        try await waitUntil(timeout: .seconds(10), "the error") { process.output.contains("credentials") }
        #expect(process.output.contains("is not a signing context: the key credentials is missing"))
    }
}
