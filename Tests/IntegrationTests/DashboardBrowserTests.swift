import Foundation
import GafferApp
import GafferCore
import GafferGitHub
import GafferTestSupport
import Testing

/// The dashboard in headless Chromium, as a person uses it: signing in through GitHub (the sandbox's
/// OAuth pages), a task appearing live, approving and denying with the decision written on the pull
/// request, the stop button stopping a running pipeline and `/apply`, the resume, a person without
/// rights refused, and a form without its CSRF token refused. Each page is saved as a screenshot
/// in `TestArtifacts` to be looked at.
@Suite(.serialized) struct DashboardBrowserTests {
    static let operatorToken = "operator-token-for-the-browser"

    @Test func aPersonSignsInWatchesATaskArriveDecidesItAndStopsEverything() async throws {
        let story = try await ChangeFlowTests.Story.start { configuration in
            configuration.apiToken = Secret(Self.operatorToken)
            configuration.dashboard.oauthClientID = "dashboard-client"
            configuration.dashboard.oauthClientSecret = Secret("dashboard-secret")
            configuration.dashboard.users = ["alice", "bob", "carol"]
        }
        defer { story.stop() }
        await story.sandbox.state.registerOAuthApp(clientID: "dashboard-client", clientSecret: "dashboard-secret")
        let base = "http://127.0.0.1:\(story.gaffer.port)"
        let shots = TestArtifacts.directory.appendingPathComponent("dashboard", isDirectory: true)

        try await HeadlessBrowser.using { browser in
            func shot(_ name: String) async throws { try await browser.screenshot(to: shots.appendingPathComponent("\(name).png")) }
            // The live refresh may replace an element between finding and reading it: read it again then.
            func text(_ css: String) async throws -> String? {
                for _ in 0..<3 {
                    guard let element = try await browser.find(css) else { return nil }
                    if let text = try? await browser.text(of: element) { return text }
                }
                return nil
            }
            func dashboardComments(_ verb: String, on pull: Int) async throws -> [String] {
                try await story.alice.comments(onIssue: pull, in: story.repository).compactMap(\.body)
                    .filter { $0.contains("@bob \(verb) the plan of `") && $0.contains("from the Gaffer dashboard") }
            }
            // The page redraws itself when something changes; an element found just before a redraw is gone by the
            // time it is used: chromedriver says "stale element", or "not interactable" when the swap lands between its
            // own checks. A person would look again: so does this, when nothing was done.
            func act(_ body: () async throws -> Void) async throws {
                for attempt in 1...3 {
                    do {
                        return try await body()
                    } catch let error as CommandFailed
                        where (error.output.contains("stale element") || error.output.contains("not interactable")) && attempt < 3
                    {
                        continue
                    }
                }
            }
            func click(_ css: String) async throws {
                try await act {
                    let url = try await browser.currentURL()
                    try await browser.click(try #require(try await browser.find(css), "\(css) on \(url)"))
                }
            }
            func signIn(as login: String) async throws {
                try await browser.open("\(base)/dashboard/signin")
                try await click("#github-signin")
                try await waitUntil(timeout: .seconds(20), "the sandbox's sign-in page") { try await browser.find("#signin-\(login)") != nil }
                if login == "mallory" { try await shot("github-authorize") }
                try await click("#signin-\(login)")
            }

            // Someone the operator did not list is told why, and sees nothing.
            try await browser.open("\(base)/dashboard")
            #expect(try await browser.currentURL().hasSuffix("/dashboard/signin?next=/dashboard"))
            try await shot("signin")
            try await signIn(as: "mallory")
            try await waitUntil(timeout: .seconds(20), "the refusal") { try await text("#reason") != nil }
            #expect(try await text("#reason") == "mallory is not in dashboard_users: ask the operator of this Gaffer to add you.")
            try await shot("forbidden")

            try await signIn(as: "bob")
            try await waitUntil(timeout: .seconds(20), "the overview") { try await text("#signed-in-as") == "bob" }
            #expect(try await text("#waiting .big") == "0")
            try await shot("overview-empty")

            // A task opened in the sandbox's web pages, in another tab, reaches the open overview without a reload.
            try await browser.execute("window.notReloaded = true")
            let dashboard = try await browser.window()
            try await browser.switchTo(window: try await browser.newWindow())
            try await browser.open("\(story.sandbox.baseURL.absoluteString)/login?next=/acme/web/issues")
            try await click("#login-alice")
            try await waitUntil(timeout: .seconds(10), "the issue list") { try await browser.find("#new-title") != nil }
            try await browser.type("Create an S3 bucket named dashboard-logs in us-east-1", into: try #require(try await browser.find("#new-title")))
            try await click("#submit-issue")
            try await waitUntil(timeout: .seconds(10), "the new issue's page") { try await browser.currentURL().contains("/acme/web/issues/") }
            let issue = try #require(Int(try await browser.currentURL().split(separator: "/").last ?? ""))
            try await browser.switchTo(window: dashboard)
            let (pull, _) = try await story.pullRequest(of: issue, resource: "s3-bucket")
            let task = (issue: issue, pull: pull)
            try await waitUntil(timeout: .seconds(30), "the plan to wait on a person, live") { try await text("#waiting .big") == "1" }
            #expect(try await browser.execute("return window.notReloaded === true") as? Bool == true, "the page was updated in place")
            try await shot("overview-one-task")

            try await click("#waiting .big a")
            try await waitUntil(timeout: .seconds(10), "the decisions page") { try await browser.find("form.approve") != nil }
            #expect(try await browser.pageText().contains("acme/web#\(task.pull.number)"))
            try await shot("decisions")
            try await act {
                try await browser.type("looks right", into: try #require(try await browser.find("form.approve input[name=reason]")))
                try await click("form.approve button")
            }
            try await waitUntil(timeout: .seconds(20), "the note") { try await text("#flash")?.contains("You approved") == true }
            let approved = try await dashboardComments("approved", on: task.pull.number)
            #expect(approved.count == 1 && approved.first?.contains("from the Gaffer dashboard: looks right.") == true, "\(approved)")

            try await act {
                try await browser.type("wrong bucket name", into: try #require(try await browser.find("form.deny input[name=reason]")))
                try await click("form.deny button")
            }
            try await waitUntil(timeout: .seconds(20), "the denial") { try await text("#flash")?.contains("You denied") == true }
            #expect(try await browser.pageText().contains("Nothing waits for a decision."))
            let denied = try await dashboardComments("denied", on: task.pull.number)
            #expect(denied.count == 1 && denied.first?.contains("from the Gaffer dashboard: wrong bucket name.") == true, "\(denied)")
            try await browser.open("\(story.sandbox.baseURL.absoluteString)/acme/web/issues/\(task.issue)")
            #expect(try await browser.pageText().contains("gaffer[bot]"), "Gaffer's answers on the issue")
            try await shot("sandbox-issue")
            try await browser.open("\(story.sandbox.baseURL.absoluteString)/acme/web/pull/\(task.pull.number)")
            let (files, checks) = (try await browser.find("#files"), try await browser.find("#checks"))
            #expect(files != nil && checks != nil, "the pull request's files and checks")
            #expect(try await browser.pageText().contains("from the Gaffer dashboard: wrong bucket name."))
            try await shot("sandbox-pull")

            // The task's page draws its plan.
            try await browser.open("\(base)/dashboard/tasks")
            try await click("table.tasks a")
            try await waitUntil(timeout: .seconds(10), "the task's page") { try await browser.find(".graph svg") != nil }
            #expect(try await browser.execute("return document.querySelectorAll('.graph svg g.step').length") as? Int ?? 0 >= 4)
            try await shot("task")
            for page in ["tasks", "agents", "resources", "knowledge", "costs", "settings"] {
                try await browser.open("\(base)/dashboard/\(page)")
                try await shot(page)
            }

            // A form sent without its CSRF token is refused, and changes nothing.
            try await browser.open("\(base)/dashboard/pause")
            try await browser.execute("document.querySelector('form.confirm input[name=csrf]').remove()")
            try await act { try await browser.type("forged", into: try #require(try await browser.find("#reason"))) }
            try await click("#confirm-pause")
            try await waitUntil(timeout: .seconds(10), "the refusal") { try await text("#reason")?.contains("CSRF token") == true }
            try await story.gaffer.server.emergencyStop.refresh()
            #expect(story.gaffer.server.emergencyStop.current == nil)

            // The stop: a pipeline running now stops, `/apply` is refused, the banner is everywhere; the resume carries on.
            let slow = try await story.sandbox.push(to: "gaffer/\(task.issue)-s3-bucket", path: "infra/gaffer-s3-bucket-dashboard-logs/buildspec.yml")
            {
                $0.replacingOccurrences(of: "  build:\n    commands:\n", with: "  build:\n    commands:\n      - sleep 10\n")
            }
            func check() async throws -> CheckRunDetails? {
                try await story.app.checkRuns(named: "gaffer/pipeline", for: slow, in: story.installed).first
            }
            try await waitUntil(timeout: .seconds(60), "the slow build to start") { try await check()?.status == "in_progress" }
            try await browser.open("\(base)/dashboard")
            try await click("#pause")
            try await act { try await browser.type("incident 9: a bad change is spreading", into: try #require(try await browser.find("#reason"))) }
            try await shot("pause-confirm")
            try await click("#confirm-pause")
            try await waitUntil(timeout: .seconds(10), "the banner") { try await text("#paused-banner") != nil }
            #expect(try await text("#paused-banner")?.contains("Gaffer is paused by bob at ") == true)
            #expect(try await text("#paused-banner")?.contains("incident 9: a bad change is spreading") == true)
            try await waitUntil(timeout: .seconds(30), "the build to stop") { try await check()?.output?.title == "Paused" }
            let refused = try #require(try await story.say("/apply", on: task.pull.number, as: story.alice))
            #expect(refused.contains("`/apply` was not run: Gaffer is paused (by bob at "), "\(refused)")
            try await browser.open("\(base)/dashboard/decisions")
            #expect(try await text("#paused-banner") != nil, "the banner is on every page")
            try await shot("paused")
            try await click("#resume")
            try await waitUntil(timeout: .seconds(10), "the banner to go") { try await text("#paused-banner") == nil }
            try await waitUntil(timeout: .seconds(120), "the build to run again and pass") { try await check()?.conclusion == "success" }
            // The new commit's plan arrives on the open page by itself.
            try await waitUntil(timeout: .seconds(120), "the new plan on the overview") { try await text("#waiting .big") == "1" }
            try await shot("overview-after-resume")
        }
    }
}
