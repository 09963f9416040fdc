import Foundation
import GafferCore
import GafferModels
import Synchronization

/// Spend kept in memory, as the stores keep it.
public final class MemorySpend: ModelSpendStore {
    public init() {}
    public let calls = Mutex<[ModelCall]>([])
    public let reserved = Mutex<[(key: String, usd: Double)]>([])
    public func reserveModelSpend(repository: String, issue: Int, at: Date, usd: Double, budget: ModelBudget) async throws {
        if let refusal = budget.refusal(spent: try await modelSpend(repository: repository, issue: issue, at: at), worstCase: usd) { throw refusal }
        reserved.withLock { $0.append(("\(repository)#\(issue)", usd)) }
    }
    public func recordModelCall(_ call: ModelCall, reserved usd: Double) async throws {
        calls.withLock { $0.append(call) }
        reserved.withLock { list in
            if let index = list.firstIndex(where: { $0.key == "\(call.repository)#\(call.issue)" && $0.usd == usd }) { list.remove(at: index) }
        }
    }
    public func modelSpend(repository: String, issue: Int, at: Date) async throws -> ModelSpendTotals {
        let (day, month) = ModelBudget.periods(of: at)
        let held = reserved.withLock { $0 }
        return calls.withLock { calls in
            ModelSpendTotals(
                task: calls.filter { $0.repository == repository && $0.issue == issue }.reduce(0) { $0 + $1.usd }
                    + held.filter { $0.key == "\(repository)#\(issue)" }.reduce(0) { $0 + $1.usd },
                day: calls.filter { $0.at >= day }.reduce(0) { $0 + $1.usd } + held.reduce(0) { $0 + $1.usd },
                month: calls.filter { $0.at >= month }.reduce(0) { $0 + $1.usd } + held.reduce(0) { $0 + $1.usd }
            )
        }
    }
    public func modelCalls(repository: String, issue: Int) async throws -> [ModelCall] {
        calls.withLock { $0.filter { $0.repository == repository && $0.issue == issue } }
    }
}

/// A provider that answers from a list and counts what it was asked.
public final class ScriptedProvider: ModelProvider {
    public let name = "scripted"
    public let answers: Mutex<[Result<ModelResponse, ModelError>]>
    public let asked = Mutex<[ModelRequest]>([])
    public init(_ answers: [Result<ModelResponse, ModelError>]) { self.answers = Mutex(answers) }
    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelStreamEvent, any Error> {
        asked.withLock { $0.append(request) }
        let next = answers.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        return AsyncThrowingStream { continuation in
            switch next {
            case .success(let response)?: continuation.yield(.done(response))
            case .failure(let error)?: continuation.finish(throwing: error)
            case nil: break
            }
            continuation.finish()
        }
    }
}
