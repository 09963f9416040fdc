import Foundation
import GafferApp
import GafferCore
import GafferTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct JobsAPITests {
    @Test func anEchoJobIsCreatedRunAndReturnsItsPayload() async throws {
        let fixture = try await AppFixture()
        let dataDirectory = fixture.directory.url
        try await fixture.test { client in
            let created = try await client.api(.post, "/jobs", json: #"{"job_type":"echo","payload":{"hello":"world","n":[1,2]}}"#)
            #expect(created.status == .created)
            #expect(created.json["status"] as? String == "QUEUED")
            let id = try #require(created.json["job_id"] as? Int)
            #expect(created.headers[.location] == "/jobs/\(id)")

            try await waitUntil("the echo job to succeed") {
                try await client.api(.get, "/jobs/\(id)").json["status"] as? String == "SUCCEEDED"
            }
            let shown = try await client.api(.get, "/jobs/\(id)").json
            #expect(shown["job_type"] as? String == "echo")
            #expect(shown["attempts"] as? Int == 1)
            #expect(shown["started_at"] is String)
            #expect(shown["finished_at"] is String)
            let result = try #require(shown["result"] as? [String: Any])
            #expect(result["hello"] as? String == "world")
            let events = try #require(shown["events"] as? [[String: Any]])
            #expect(events.compactMap { $0["to"] as? String } == ["QUEUED", "RUNNING", "SUCCEEDED"])

            // The file follows the store's record of success, written by the same worker.
            let file = dataDirectory.appendingPathComponent("jobs/\(id)/result.json")
            try await waitUntil("the result file") { (try? Data(contentsOf: file)).flatMap { try? JSONValue.decode($0) } != nil }
            let written = try JSONValue.decode(Data(contentsOf: file))
            #expect(written["hello"] == .string("world"))
        }
    }

    @Test func listingFiltersByStatusAndLimit() async throws {
        let fixture = try await AppFixture(workers: 0)
        try await fixture.test { client in
            for _ in 0..<3 { _ = try await client.api(.post, "/jobs", json: #"{"job_type":"echo","payload":{}}"#) }
            let all = try await client.api(.get, "/jobs?status=QUEUED&limit=2")
            #expect(all.status == .ok)
            #expect((all.json["jobs"] as? [[String: Any]])?.count == 2)
            let none = try await client.api(.get, "/jobs?status=failed")
            #expect((none.json["jobs"] as? [[String: Any]])?.isEmpty == true)
        }
    }

    @Test func aJobCanBeCancelledUntilItFinishes() async throws {
        let fixture = try await AppFixture(workers: 0)
        try await fixture.test { client in
            let id = try #require(try await client.api(.post, "/jobs", json: #"{"job_type":"echo"}"#).json["job_id"] as? Int)
            let cancelled = try await client.api(.post, "/jobs/\(id)/cancel")
            #expect(cancelled.status == .ok)
            #expect(cancelled.json["status"] as? String == "CANCELLED")
            let again = try await client.api(.post, "/jobs/\(id)/cancel")
            #expect(again.status == .conflict)
        }
    }

    @Test func theAPIRequiresTheBearerToken() async throws {
        let fixture = try await AppFixture(workers: 0)
        let store = fixture.server.store
        try await fixture.test { client in
            let missing = try await client.api(.post, "/jobs", json: #"{"job_type":"echo"}"#, token: nil)
            #expect(missing.status == .unauthorized)
            #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            let wrong = try await client.api(.get, "/jobs", token: "not-the-token-at-all")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorCode == "bad_token")
            #expect(try await store.jobs(state: nil, limit: 10).isEmpty)
        }
    }

    @Test func withNoTokenConfiguredTheAPIIsClosed() async throws {
        let fixture = try await AppFixture(workers: 0) { $0.apiToken = nil }
        try await fixture.test { client in
            let response = try await client.api(.get, "/jobs")
            #expect(response.status == .forbidden)
            #expect(response.errorMessage.contains("GAFFER_API_TOKEN"))
        }
    }

    struct BadInput: Sendable, CustomStringConvertible {
        var body: String
        var status: HTTPResponse.Status
        var code: String
        var mentions: String
        var description: String { code }
    }

    static let badInputs: [BadInput] = [
        BadInput(body: "{not json", status: .badRequest, code: "malformed_json", mentions: "job_type"),
        BadInput(body: "[1]", status: .badRequest, code: "malformed_json", mentions: "JSON object"),
        BadInput(body: #"{"payload":{}}"#, status: .badRequest, code: "missing_job_type", mentions: "echo, sleep"),
        BadInput(body: #"{"job_type":"nuke"}"#, status: .badRequest, code: "unknown_job_type", mentions: "known types: echo, sleep"),
        BadInput(body: #"{"job_type":"github.delivery","payload":{}}"#, status: .badRequest, code: "unknown_job_type", mentions: "echo, sleep"),
        BadInput(
            body: #"{"job_type":"sleep","payload":{"seconds":"soon"}}"#,
            status: .unprocessableContent,
            code: "invalid_payload",
            mentions: "seconds"
        ),
        BadInput(
            body: #"{"job_type":"echo","payload":{"big":"\#(String(repeating: "x", count: 5000))"}}"#,
            status: .contentTooLarge,
            code: "payload_too_large",
            mentions: "4096 bytes"
        ),
    ]

    @Test(arguments: badInputs)
    func badInputIsRefusedWithAMessageAndStoresNothing(_ input: BadInput) async throws {
        let fixture = try await AppFixture(workers: 0) { $0.jobMaxPayloadBytes = 4096 }
        let store = fixture.server.store
        try await fixture.test { client in
            let response = try await client.api(.post, "/jobs", json: input.body)
            #expect(response.status == input.status)
            #expect(response.errorCode == input.code)
            #expect(response.errorMessage.contains(input.mentions), "\(response.errorMessage)")
            #expect(try await store.jobs(state: nil, limit: 10).isEmpty)
        }
    }

    @Test func badQueriesAndIdsAreRefused() async throws {
        let fixture = try await AppFixture(workers: 0)
        try await fixture.test { client in
            let status = try await client.api(.get, "/jobs?status=DONE")
            #expect(status.status == .badRequest)
            #expect(status.errorMessage.contains("QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED"))
            #expect(try await client.api(.get, "/jobs?limit=0").errorCode == "bad_limit")
            #expect(try await client.api(.get, "/jobs?limit=lots").errorCode == "bad_limit")
            #expect(try await client.api(.get, "/jobs/abc").errorCode == "bad_job_id")
            let missing = try await client.api(.get, "/jobs/4242")
            #expect(missing.status == .notFound)
            #expect(missing.errorCode == "no_such_job")
            let wrongType = try await client.execute(
                uri: "/jobs",
                method: .post,
                headers: [.authorization: "Bearer \(TestConfiguration.apiToken.revealed)", .contentType: "text/plain"],
                body: ByteBuffer(string: "echo")
            )
            #expect(wrongType.status == .unsupportedMediaType)
        }
    }

    @Test func healthReportsTheStoreWorkersAndQueue() async throws {
        let fixture = try await AppFixture(workers: 3)
        try await fixture.test { client in
            try await waitUntil("workers to start") {
                let workers = try await client.execute(uri: "/health", method: .get).json["workers"] as? [String: Any]
                return workers?["alive"] as? Int == 3
            }
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok)
            #expect(health.json["status"] as? String == "ok")
            #expect(health.json["store"] as? String == "ok")
            #expect(health.json["queue_depth"] as? Int == 0)
        }
    }

    @Test func creatingAndCancellingAreAudited() async throws {
        let fixture = try await AppFixture(workers: 0)
        let store = fixture.server.store
        try await fixture.test { client in
            let id = try #require(try await client.api(.post, "/jobs", json: #"{"job_type":"echo"}"#).json["job_id"] as? Int)
            _ = try await client.api(.post, "/jobs/\(id)/cancel")
            let entries = try await store.entries(subject: "job:\(id)", limit: 10)
            #expect(entries.map(\.action) == ["job.cancel", "job.create"])
        }
    }
}
