import Foundation
import GafferTestSupport
import Testing

/// `gaffer parse-issue` and `gaffer parse-comment` as an operator runs them.
struct ParseCommandTests {
    func run(_ arguments: [String], body: String) async throws -> (status: Int32, json: Any?) {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.url.appendingPathComponent("body.md")
        try Data(body.utf8).write(to: file)
        let process = try GafferProcess(arguments: arguments + ["--body-file", file.path], environment: [:])
        let status = try await process.waitForExit()
        try await waitUntil(timeout: .seconds(10), "the output is complete") {
            (try? JSONSerialization.jsonObject(with: Data(process.output.utf8))) != nil
        }
        return (status, try JSONSerialization.jsonObject(with: Data(process.output.utf8)))
    }

    @Test func parseIssuePrintsTheTaskOrTheProblems() async throws {
        let good = try await run(
            [
                "parse-issue", "--title", "Create an S3 bucket named logs-archive in eu-west-1",
                "--label", "gaffer", "--author", "alice", "--number", "3",
            ],
            body: "versioning: true\nDepends on #1, #2"
        )
        #expect(good.status == 0)
        let task = try #require(good.json as? [String: Any])
        #expect(task["kind"] as? String == "create" && task["resource"] as? String == "s3Bucket" && task["region"] as? String == "eu-west-1")
        #expect((task["parameters"] as? [String: Any])?["versioning"] as? Bool == true)
        #expect(task["dependsOn"] as? [Int] == [1, 2])

        let bad = try await run(["parse-issue", "--title", "Create a bucket named Bad_Name"], body: "")
        #expect(bad.status == 1)
        let problems = try #require((bad.json as? [String: Any])?["problems"] as? [[String: Any]])
        #expect(Set(problems.compactMap { $0["field"] as? String }) == ["bucketName", "region"])
        #expect(problems.allSatisfy { $0["rule"] is String && $0["example"] is String && $0.keys.contains("value") })
    }

    @Test func parseCommentPrintsTheCommands() async throws {
        let good = try await run(["parse-comment"], body: "> /destroy\n/apply --stack logs\n/deny \"too expensive\"")
        #expect(good.status == 0)
        let commands = try #require(good.json as? [[String: Any]])
        #expect(commands.map { $0["name"] as? String } == ["apply", "deny"])
        #expect((commands.first?["flags"] as? [String: String]) == ["stack": "logs"])
        #expect((commands.last?["arguments"] as? [String]) == ["too expensive"])

        let nearMiss = try await run(["parse-comment"], body: "/aply")
        #expect(nearMiss.status == 1)
        #expect(((nearMiss.json as? [[String: Any]])?.first?["suggestion"] as? String) == "did you mean /apply?")
    }

    @Test func aMissingBodyFileIsAClearError() async throws {
        let process = try GafferProcess(arguments: ["parse-issue", "--body-file", "/nonexistent/body.md"], environment: [:])
        let status = try await process.waitForExit()
        #expect(status != 0)
        try await waitUntil("the error is written") { process.output.contains("cannot read /nonexistent/body.md") }
    }
}
