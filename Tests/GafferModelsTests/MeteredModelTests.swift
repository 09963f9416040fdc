import Foundation
import GafferCore
import GafferModels
import GafferTestSupport
import Synchronization
import Testing

struct MeteredModelTests {
    static let price = ModelPrice(input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3)
    static let scope = ModelScope(purpose: "intake", repository: "acme/infra", issue: 7)

    static func answer(input: Int = 1000, output: Int = 200) -> Result<ModelResponse, ModelError> {
        .success(ModelResponse(model: "m", content: [.text("ok")], stopReason: .endTurn, usage: ModelUsage(inputTokens: input, outputTokens: output)))
    }

    @Test func everyCallIsRecordedWithWhatItCost() async throws {
        let spend = MemorySpend()
        let provider = ScriptedProvider([Self.answer(), .failure(ModelError(provider: "scripted", kind: .unavailable, message: "busy"))])
        let model = MeteredModel(provider: provider, model: "claude-sonnet-4-5", price: Self.price, budget: ModelBudget(), spend: spend)
        let request = ModelRequest(model: "", system: "s", messages: [.user("make a bucket")], maxTokens: 300)
        _ = try await model.respond(request, scope: Self.scope)
        await #expect(throws: ModelError.self) { try await model.respond(request, scope: Self.scope) }

        #expect(provider.asked.withLock { $0.map(\.model) } == ["claude-sonnet-4-5", "claude-sonnet-4-5"])
        try await waitUntil(timeout: .seconds(10), "both calls to be recorded") {
            try await spend.modelCalls(repository: "acme/infra", issue: 7).count == 2
        }
        let calls = try await spend.modelCalls(repository: "acme/infra", issue: 7)
        let expected: Double = (1000 * 3 + 200 * 15) / 1_000_000
        #expect(abs(calls[0].usd - expected) < 1e-12)
        #expect(calls[0].inputTokens == 1000 && calls[0].outputTokens == 200 && calls[0].error == nil)
        #expect(calls[0].model == "claude-sonnet-4-5" && calls[0].provider == "scripted" && calls[0].purpose == "intake")
        #expect(calls[1].usd == 0 && calls[1].error?.contains("busy") == true)
    }

    @Test func aCallTheBudgetHasNoRoomForIsNotMade() async throws {
        let spend = MemorySpend()
        let provider = ScriptedProvider([Self.answer(), Self.answer()])
        // Each call could cost up to 4,096 output tokens × $15/M ≈ $0.061 and a little input.
        var model = MeteredModel(
            provider: provider,
            model: "m",
            price: Self.price,
            budget: ModelBudget(taskUSD: 0.065, dailyUSD: 10, monthlyUSD: 10),
            spend: spend
        )
        let request = ModelRequest(model: "", system: "s", messages: [.user("hi")], maxTokens: 4096)
        _ = try await model.respond(request, scope: Self.scope)
        try await waitUntil(timeout: .seconds(10), "the call to be settled") { spend.reserved.withLock { $0.isEmpty } }
        let refused = try await #require(throws: ModelBudgetExceeded.self) { try await model.respond(request, scope: Self.scope) }
        #expect(refused.key == "model_budget_task_usd")
        #expect(refused.description.contains("Raise model_budget_task_usd and run /retry"))
        #expect(provider.asked.withLock { $0.count } == 1, "the refused call never reached the provider")

        // Another task has its own budget, but the day's is shared.
        let other = ModelScope(purpose: "intake", repository: "acme/infra", issue: 8)
        _ = try await model.respond(request, scope: other)
        try await waitUntil(timeout: .seconds(10), "the call to be settled") { spend.reserved.withLock { $0.isEmpty } }
        model = MeteredModel(
            provider: provider,
            model: "m",
            price: Self.price,
            budget: ModelBudget(taskUSD: 10, dailyUSD: 0.01, monthlyUSD: 10),
            spend: spend
        )
        let daily = try await #require(throws: ModelBudgetExceeded.self) { try await model.respond(request, scope: Self.scope) }
        #expect(daily.key == "model_budget_daily_usd")
        #expect(provider.asked.withLock { $0.count } == 2)
    }

    @Test func theWorstCaseCountsEveryOutputTokenAndTheInputGenerously() {
        let model = MeteredModel(provider: ScriptedProvider([]), model: "m", price: Self.price, budget: ModelBudget(), spend: MemorySpend())
        let text = String(repeating: "a", count: 3000)
        let worst = model.worstCase(ModelRequest(model: "", system: "", messages: [.user(text)], maxTokens: 1000))
        let floor: Double = (1000 * 3 + 1000 * 15) / 1_000_000
        #expect(worst >= floor, "3,000 bytes are at most 1,000 tokens of input")
    }

    @Test func pricesAreFoundByTheLongestPrefixAndTheOperatorsComeFirst() {
        var prices = ModelPrices()
        #expect(prices.price(of: "claude-sonnet-4-5-20250929")?.output == 15)
        #expect(prices.price(of: "gpt-4.1-mini-2025-04-14")?.output == 1.6, "not gpt-4.1's price")
        #expect(prices.price(of: "llama3.1:8b") == nil)
        prices.entries["llama3.1"] = ModelPrice(input: 0, output: 0)
        #expect(prices.price(of: "llama3.1:8b")?.output == 0)
    }
}
