import Foundation
import GafferCore
import GafferStore
import GafferTestSupport
import Testing

/// Model calls kept with their cost, and summed by task, UTC day and UTC month for the budget.
@Suite(.postgres) struct ModelSpendStoreTests {
    @Test(arguments: Backend.allCases) func spendIsSummedByTaskDayAndMonth(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let store = fixture.store
        // 2027-03-31 23:00 UTC, then an hour later it is another day and another month.
        let lastHourOfMarch = Date(timeIntervalSince1970: 1_806_534_000)
        func call(_ issue: Int, _ usd: Double, at: Date, repository: String = "Acme/Infra") -> ModelCall {
            ModelCall(at: at, repository: repository, issue: issue, purpose: "intake", provider: "anthropic", model: "m", usd: usd)
        }
        func record(_ call: ModelCall) async throws { try await store.recordModelCall(call, reserved: 0) }
        try await record(call(7, 0.25, at: lastHourOfMarch.addingTimeInterval(-40 * 86400)))  // February
        try await record(call(7, 0.50, at: lastHourOfMarch))
        try await record(call(8, 1.00, at: lastHourOfMarch.addingTimeInterval(1800)))
        try await record(call(7, 2.00, at: lastHourOfMarch.addingTimeInterval(3600 + 60)))  // April 1st
        try await record(call(7, 4.00, at: lastHourOfMarch.addingTimeInterval(3600 + 120), repository: "acme/other"))

        let march = ModelBudget.periods(of: lastHourOfMarch)
        #expect(march.day == Date(timeIntervalSince1970: 1_806_451_200))
        #expect(march.month == Date(timeIntervalSince1970: 1_803_859_200))
        let inMarch = try await store.modelSpend(repository: "acme/infra", issue: 7, at: lastHourOfMarch)
        #expect(inMarch.task == 2.75, "every call of the task, whenever made, in any case of the repository's name")
        #expect(inMarch.day == 1.5, "both tasks' calls of March 31st, not February's or April's")
        #expect(inMarch.month == 1.5)

        let inApril = try await store.modelSpend(repository: "acme/infra", issue: 7, at: lastHourOfMarch.addingTimeInterval(7200))
        #expect(inApril == ModelSpendTotals(task: 2.75, day: 6, month: 6))

        let calls = try await store.modelCalls(repository: "ACME/infra", issue: 7)
        #expect(calls.map(\.usd) == [0.25, 0.5, 2])
    }

    @Test(arguments: Backend.allCases) func aFailedCallsErrorIsKeptWithoutSecrets(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        var call = ModelCall(at: fixture.clock.now(), repository: "acme/infra", issue: 1, purpose: "intake", provider: "openai", model: "m")
        call.error = "the provider refused the key sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv"
        try await fixture.store.recordModelCall(call, reserved: 0)
        let kept = try #require(try await fixture.store.modelCalls(repository: "acme/infra", issue: 1).first)
        #expect(kept.error?.contains("sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv") == false)
        #expect(kept.error?.contains("refused the key") == true)
    }

    @Test(arguments: Backend.allCases) func aReservationIsAllOrNothingAndCallsAtOnceCannotPassACap(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let store = fixture.store
        let at = fixture.clock.now()
        let budget = ModelBudget(taskUSD: 1, dailyUSD: 1.5, monthlyUSD: 100)
        // Twenty calls at once, each of which could cost $0.10: only ten fit the task's $1.
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask { (try? await store.reserveModelSpend(repository: "acme/infra", issue: 1, at: at, usd: 0.1, budget: budget)) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 10)
        let held = try await store.modelSpend(repository: "acme/infra", issue: 1, at: at)
        #expect(abs(held.task - 1) < 1e-9 && abs(held.day - 1) < 1e-9)

        // A refusal adds nothing anywhere: the day's cap stops another task, and the first task's total is unchanged.
        let refusal = try await #require(throws: ModelBudgetExceeded.self) {
            try await store.reserveModelSpend(repository: "acme/infra", issue: 2, at: at, usd: 0.6, budget: budget)
        }
        #expect(refusal.key == "model_budget_daily_usd")
        #expect(try await store.modelSpend(repository: "acme/infra", issue: 2, at: at).task == 0)

        // Recorded, a call's reservation becomes what it cost.
        try await store.recordModelCall(
            ModelCall(at: at, repository: "acme/infra", issue: 1, purpose: "intake", provider: "p", model: "m", usd: 0.02),
            reserved: 0.1
        )
        let settled = try await store.modelSpend(repository: "acme/infra", issue: 1, at: at)
        #expect(abs(settled.task - 0.92) < 1e-9 && abs(settled.month - 0.92) < 1e-9)
    }
}

extension ModelSpendStoreTests {
    @Test func totalsAreKeptByUTCDayAndMonth() {
        // 2027-03-31 23:59:59 UTC.
        let keys = ModelBudget.totalKeys(repository: "Acme/Infra", issue: 7, at: Date(timeIntervalSince1970: 1_806_537_599))
        #expect(keys.task == "task:acme/infra#7" && keys.day == "day:2027-03-31" && keys.month == "month:2027-03")
        #expect(ModelBudget.totalKeys(repository: "a/b", issue: 1, at: Date(timeIntervalSince1970: 1_806_537_600)).day == "day:2027-04-01")
    }
}
