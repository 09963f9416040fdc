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
        try await store.recordModelCall(call(7, 0.25, at: lastHourOfMarch.addingTimeInterval(-40 * 86400)))  // February
        try await store.recordModelCall(call(7, 0.50, at: lastHourOfMarch))
        try await store.recordModelCall(call(8, 1.00, at: lastHourOfMarch.addingTimeInterval(1800)))
        try await store.recordModelCall(call(7, 2.00, at: lastHourOfMarch.addingTimeInterval(3600 + 60)))  // April 1st
        try await store.recordModelCall(call(7, 4.00, at: lastHourOfMarch.addingTimeInterval(3600 + 120), repository: "acme/other"))

        let march = ModelBudget.periods(of: lastHourOfMarch)
        #expect(march.day == Date(timeIntervalSince1970: 1_806_451_200))
        #expect(march.month == Date(timeIntervalSince1970: 1_803_859_200))
        let inMarch = try await store.modelSpend(repository: "acme/infra", issue: 7, day: march.day, month: march.month)
        #expect(inMarch.task == 2.75, "every call of the task, whenever made, in any case of the repository's name")
        #expect(inMarch.day == 7.5)
        #expect(inMarch.month == 7.5)

        let april = ModelBudget.periods(of: lastHourOfMarch.addingTimeInterval(7200))
        let inApril = try await store.modelSpend(repository: "acme/infra", issue: 7, day: april.day, month: april.month)
        #expect(inApril == ModelSpendTotals(task: 2.75, day: 6, month: 6))

        let calls = try await store.modelCalls(repository: "ACME/infra", issue: 7)
        #expect(calls.map(\.usd) == [0.25, 0.5, 2])
    }

    @Test(arguments: Backend.allCases) func aFailedCallsErrorIsKeptWithoutSecrets(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        var call = ModelCall(at: fixture.clock.now(), repository: "acme/infra", issue: 1, purpose: "intake", provider: "openai", model: "m")
        call.error = "the provider refused the key sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv"
        try await fixture.store.recordModelCall(call)
        let kept = try #require(try await fixture.store.modelCalls(repository: "acme/infra", issue: 1).first)
        #expect(kept.error?.contains("sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv") == false)
        #expect(kept.error?.contains("refused the key") == true)
    }
}
