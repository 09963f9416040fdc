import Foundation
import GafferApp
import GafferCore
import GafferTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Every dashboard page, read with the operator token, over an empty store, one task and 10,000 tasks.
@Suite struct DashboardPageTests {
    static let pages: [(path: String, title: String)] = [
        ("/dashboard", "Overview"), ("/dashboard/decisions", "Decisions"), ("/dashboard/tasks", "Tasks"), ("/dashboard/agents", "Agents"),
        ("/dashboard/resources", "Resources"), ("/dashboard/knowledge", "Knowledge"), ("/dashboard/costs", "Costs"),
        ("/dashboard/settings", "Settings"), ("/dashboard/pause", "Stop everything"),
    ]

    static func page(_ client: any TestClientProtocol, _ path: String) async throws -> (HTTPResponse.Status, String) {
        let response = try await client.api(.get, path)
        return (response.status, String(buffer: response.body))
    }

    @Test func everyPageRendersWithNoData() async throws {
        try await AppFixture(workers: 0).test { client in
            for (path, title) in Self.pages {
                let (status, html) = try await Self.page(client, path)
                #expect(status == .ok, "\(path)")
                #expect(html.contains("<h1>\(title)</h1>"), "\(path)")
                #expect(
                    html.contains("<a href=\"\(path)\" aria-current=\"page\">") || path == "/dashboard/pause",
                    "\(path) is the current page in the menu"
                )
            }
            #expect(try await Self.page(client, "/dashboard").1.contains("No task yet"))
            #expect(try await Self.page(client, "/dashboard/decisions").1.contains("Nothing waits for a decision."))
            #expect(try await Self.page(client, "/dashboard/tasks").1.contains("No task."))
            #expect(try await Self.page(client, "/dashboard/resources").1.contains("No resource."))
            #expect(try await Self.page(client, "/dashboard/knowledge").1.contains("Nothing learned yet."))
            #expect(try await Self.page(client, "/dashboard/costs").1.contains("No resource with a cost yet."))
            let (missing, _) = try await Self.page(client, "/dashboard/tasks/no-such-plan")
            #expect(missing == .notFound)
        }
    }

    @Test func oneTaskIsListedAndItsPageDrawsItsPlan() async throws {
        let fixture = try await AppFixture(workers: 0) { $0.changes.budgets.monthlyUSD = 100 }
        let store = fixture.server.store
        var resource = RegisteredResource(
            arn: "arn:aws:s3:::sample-bucket-20",
            resourceType: "AWS::S3::Bucket",
            logicalID: "Bucket",
            stack: StackKey(account: "123456789012", region: "us-east-1", name: "gaffer-s3-bucket-sample-bucket-20"),
            ownerAgent: .infrastructure,
            costPerDayUSD: 0.4,
            health: "healthy",
            repository: "acme/web",
            issue: 21,
            updatedAt: Date().addingTimeInterval(-86_400 * 40)
        )
        resource.tags = ["team": "data"]
        try await store.register([resource])
        var plan = try #require(DashboardSample.plans(count: 21, stepsEach: 7, start: Date(timeIntervalSince1970: 1_790_000_000)).last)
        plan.task.parameters["bucketName"] = .string("<script>alert(1)</script>")
        try await store.savePlan(plan)
        try await fixture.test { client in
            let overview = try await Self.page(client, "/dashboard").1
            #expect(overview.contains("<span class=\"state running\">running</span> <b>1</b>"), "the running task is counted")
            #expect(overview.contains("<td>monitoring</td><td>monitoring-2</td>"), "its running step is among the agents at work")

            let list = try await Self.page(client, "/dashboard/tasks").1
            #expect(list.contains("href=\"/dashboard/tasks/sample-20\""))
            #expect(list.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "what people wrote is escaped")
            #expect(!list.contains("<script>alert(1)"))

            let (status, page) = try await Self.page(client, "/dashboard/tasks/sample-20")
            #expect(status == .ok)
            #expect(page.components(separatedBy: "<g class=\"step ").count - 1 == 7, "a box per step")
            #expect(page.components(separatedBy: "<line class=\"edge\"").count - 1 == 6, "an arrow per dependency")
            #expect(page.contains("<g class=\"step running\" data-step=\"monitoring-2\">"))
            #expect(page.contains("stack gaffer-s3-bucket-sample-bucket-20"), "the messages between agents")
            #expect(!page.contains("<script>alert(1)"))

            let costs = try await Self.page(client, "/dashboard/costs").1
            #expect(costs.components(separatedBy: "<rect class=\"bar\"").count - 1 >= 1, "a bar a day so far this month")
            #expect(costs.contains("<td>acme/web#21</td><td>1</td><td>$0.40</td><td>$12.00</td>"), "\(costs)")
            #expect(costs.contains("class=\"budget\""), "the monthly budget's line")
            let resources = try await Self.page(client, "/dashboard/resources?service=S3&tag=team%3Ddata").1
            #expect(resources.contains("<td title=\"arn:aws:s3:::sample-bucket-20\">Bucket</td>"))
            #expect(try await Self.page(client, "/dashboard/resources?tag=team%3Dother").1.contains("No resource matches."))
            #expect(try await Self.page(client, "/dashboard").1.contains("of a $100.00 budget"))

            let agents = try await Self.page(client, "/dashboard/agents").1
            #expect(agents.contains("<td>infrastructure</td><td>2</td><td>0</td><td>100%</td>"), "\(agents)")
        }
    }

    @Test func tenThousandTasksArePaged() async throws {
        let fixture = try await AppFixture(workers: 0)
        // In batches, each written before the next is made: making 10,000 plans at once would hold a thread of the
        // suite's small pool for seconds and starve the tests beside it.
        for first in stride(from: 0, to: 10_000, by: 500) {
            try await fixture.server.store.savePlans(
                DashboardSample.plans(count: 500, from: first, stepsEach: 3, start: Date(timeIntervalSince1970: 1_790_000_000))
            )
        }
        try await fixture.test { client in
            let overview = try await Self.page(client, "/dashboard").1
            let counts = try Regex(#"<span class="state (\w+)">\w+</span> <b>(\d+)</b>"#)
            let total = overview.matches(of: counts).compactMap { Int($0.output[2].substring ?? "") }.reduce(0, +)
            #expect(total == 10_000)

            let first = try await Self.page(client, "/dashboard/tasks").1
            #expect(first.contains("page 1 of 200 (10000)"))
            #expect(first.components(separatedBy: "href=\"/dashboard/tasks/sample-").count - 1 == 50)
            #expect(first.contains("href=\"/dashboard/tasks/sample-9999\""), "newest first")
            #expect(first.contains("href=\"/dashboard/tasks?page=2\""))

            let last = try await Self.page(client, "/dashboard/tasks?page=200").1
            #expect(last.contains("href=\"/dashboard/tasks/sample-0\""))
            #expect(!last.contains("rel=\"next\""))

            let failed = try await Self.page(client, "/dashboard/tasks?state=failed").1
            #expect(failed.contains("<option selected>failed</option>"))
            #expect(!failed.contains("<span class=\"state ready\">"))

            let byIssue = try await Self.page(client, "/dashboard/tasks?q=%235000").1
            #expect(
                byIssue.contains("href=\"/dashboard/tasks/sample-4999\"")
                    && byIssue.components(separatedBy: "href=\"/dashboard/tasks/sample-").count - 1 == 1
            )

            for (path, title) in Self.pages {
                let (status, html) = try await Self.page(client, path)
                #expect(status == .ok && html.contains("<h1>\(title)</h1>"), "\(path)")
            }
            let json = try await client.api(.get, "/dashboard/api/tasks?page=3").json
            #expect(json["total"] as? Int == 10_000 && (json["items"] as? [Any])?.count == 50)
        }
    }
}
