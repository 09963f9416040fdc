import Foundation
import GafferCore
import Logging

/// What a metered call is for: the cost record and the task budget are kept by it.
public struct ModelScope: Sendable, Hashable {
    public var purpose: String
    public var repository: String
    public var issue: Int
    public var step: String?

    public init(purpose: String, repository: String, issue: Int, step: String? = nil) {
        self.purpose = purpose
        self.repository = repository
        self.issue = issue
        self.step = step
    }
}

/// A model as the agents use it: every call is checked against the budget first (with the most it could cost),
/// then made, then recorded with what it did cost. A call the budget has no room for is not made.
public struct MeteredModel: Sendable {
    public let provider: any ModelProvider
    public let model: String
    public let price: ModelPrice
    public let budget: ModelBudget
    public let spend: any ModelSpendStore
    public let clock: any WallClock
    public let logger: Logger

    /// - Parameters:
    ///   - provider: the wire client.
    ///   - model: the provider's model id, put into every request.
    ///   - price: what it costs.
    ///   - budget: the caps.
    ///   - spend: where calls are recorded and summed.
    ///   - clock: the time of each record, and which day and month it counts in.
    ///   - logger: one line per call, never its text.
    public init(
        provider: any ModelProvider,
        model: String,
        price: ModelPrice,
        budget: ModelBudget,
        spend: any ModelSpendStore,
        clock: any WallClock = SystemWallClock(),
        logger: Logger = Logger(label: "gaffer.models")
    ) {
        self.provider = provider
        self.model = model
        self.price = price
        self.budget = budget
        self.spend = spend
        self.clock = clock
        self.logger = logger
    }

    /// The most `request` could cost: its input counted generously (a token per 3 bytes) and every output token it may use.
    public func worstCase(_ request: ModelRequest) -> Double {
        var bytes = request.system.utf8.count
        for message in request.messages {
            for content in message.content {
                switch content {
                case .text(let text): bytes += text.utf8.count
                case .toolUse(_, let name, let input): bytes += name.utf8.count + input.approximateByteCount
                case .toolResult(_, let text, _): bytes += text.utf8.count
                }
            }
        }
        for tool in request.tools { bytes += tool.name.utf8.count + tool.description.utf8.count + tool.inputSchema.approximateByteCount }
        return price.cost(ModelUsage(inputTokens: bytes / 3 + 16, outputTokens: request.maxTokens))
    }

    /// Makes the call if the budget has room for the most it could cost (reserved before, in the store, so calls
    /// made at once cannot together pass a cap), and records what it did cost. Throws `ModelBudgetExceeded` without
    /// calling when there is no room.
    public func respond(_ request: ModelRequest, scope: ModelScope) async throws -> ModelResponse {
        var request = request
        request.model = model
        let started = clock.now()
        let worst = worstCase(request)
        do {
            try await spend.reserveModelSpend(repository: scope.repository, issue: scope.issue, at: started, usd: worst, budget: budget)
        } catch let refusal as ModelBudgetExceeded {
            logger.notice(
                "model call refused by the budget",
                metadata: ["purpose": "\(scope.purpose)", "repository": "\(scope.repository)", "issue": "\(scope.issue)", "cap": "\(refusal.key)"]
            )
            throw refusal
        }
        let timer = ContinuousClock.now
        var record = ModelCall(
            at: started,
            repository: scope.repository,
            issue: scope.issue,
            purpose: scope.purpose,
            step: scope.step,
            provider: provider.name,
            model: model
        )
        do {
            let response = try await provider.respond(request)
            record.latencyMilliseconds = Self.milliseconds(ContinuousClock.now - timer)
            record.inputTokens = response.usage.inputTokens
            record.outputTokens = response.usage.outputTokens
            record.cacheWriteTokens = response.usage.cacheWriteTokens
            record.cacheReadTokens = response.usage.cacheReadTokens
            record.usd = price.cost(response.usage)
            settle(record, reserved: worst)
            logger.info(
                "model call",
                metadata: [
                    "purpose": "\(scope.purpose)", "model": "\(model)", "input_tokens": "\(record.inputTokens)",
                    "output_tokens": "\(record.outputTokens)", "usd": "\(String(format: "%.5f", record.usd))",
                    "ms": "\(Int(record.latencyMilliseconds))",
                ]
            )
            return response
        } catch {
            record.latencyMilliseconds = Self.milliseconds(ContinuousClock.now - timer)
            record.error = "\(error)"
            settle(record, reserved: worst)
            throw error
        }
    }

    /// Records the call and puts its cost in place of its reservation, without holding up the step: the reservation
    /// is already durable, so until this lands (or if the process dies first) the totals count the most the call could
    /// have cost, never less.
    private func settle(_ record: ModelCall, reserved: Double) {
        let (spend, logger) = (spend, logger)
        Task {
            do {
                try await spend.recordModelCall(record, reserved: reserved)
            } catch {
                logger.error(
                    "a model call's cost was not recorded; its reservation stays counted",
                    metadata: ["repository": "\(record.repository)", "issue": "\(record.issue)", "error": "\(error)"]
                )
            }
        }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
