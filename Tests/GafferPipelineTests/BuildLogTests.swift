import Foundation
import GafferTestSupport
import Testing

@testable import GafferPipeline

struct BuildLogTests {
    @Test("a secret is masked when the pipe cuts it in two, also inside a line too long to hold whole")
    func splitSecrets() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let secret = "sk_live_abcdefghijklmnop"
        let log = try BuildLog(path: directory.url.appendingPathComponent("log").path)
        log.mask([secret])
        // A 200 KB line with the secret across every 64 KB boundary the log might cut at, fed in 1,000-byte reads.
        var line = ""
        for cut in [65_536, 131_072, 196_608] {
            line += String(repeating: "x", count: cut - line.utf8.count - 10) + secret
        }
        let text = Array((line + "\nshort \(secret) line\n").utf8)
        for start in stride(from: 0, to: text.count, by: 1_000) {
            text[start..<min(start + 1_000, text.count)].withUnsafeBytes { log.append($0) }
        }
        log.finish()
        let written = try String(contentsOf: directory.url.appendingPathComponent("log"), encoding: .utf8)
        #expect(!written.contains(secret))
        #expect(written.components(separatedBy: "***").count - 1 == 4)
        #expect(written.hasSuffix("short *** line\n"))
    }

    @Test("3: a secret across the cut of a too-long line is never written, at every offset the cut can fall")
    func secretsAcrossTheRealCut() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let secrets = ["sk_live_abcdefghijklmnop", "short-one"]
        // Fed in one read longer than the line limit, a line is cut `longest - 1` bytes from its end.
        let length = 64 * 1024 + 100
        let cut = length - (secrets[0].utf8.count - 1)
        for secret in secrets {
            for offset in 1..<secret.utf8.count {
                let path = directory.url.appendingPathComponent("log-\(secret.count)-\(offset)").path
                let log = try BuildLog(path: path)
                log.mask(secrets)
                let start = cut - offset
                let head = String(repeating: "x", count: start) + secret
                let text = Array((head + String(repeating: "y", count: length - head.utf8.count)).utf8)
                text.withUnsafeBytes { log.append($0) }
                Array("\n".utf8).withUnsafeBytes { log.append($0) }
                log.finish()
                let written = try String(contentsOfFile: path, encoding: .utf8)
                #expect(!written.contains(secret), "\(secret) cut \(offset) bytes in")
                #expect(written.components(separatedBy: "***").count == 2)
            }
        }
    }

    @Test("4: runtime-versions are recorded, with a warning that Gaffer installs no runtimes")
    func runtimeVersions() async throws {
        let run = try await BuildRunnerTests().build(
            "version: 0.2\nphases:\n  install:\n    runtime-versions:\n      python: 3.12\n    commands: [echo ok]\n"
        )
        #expect(run.result.status == .succeeded)
        #expect(run.log.contains("Runtime version python 3.12 requested; Gaffer installs no runtimes"))
    }
}
