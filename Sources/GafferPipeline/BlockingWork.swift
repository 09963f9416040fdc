import Foundation

/// Runs file work (copying a source tree, zipping artifacts) on a thread of its own, so it
/// does not hold one of Swift's few concurrency threads that everything else (job lease
/// heartbeats among them) shares.
enum BlockingWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
