import Foundation
import GafferCore
import GafferStore
import Logging
import ServiceLifecycle

/// Deletes what is older than `retention_days`: finished jobs with their events, `jobs/<id>/`
/// folders and deliveries, deliveries that made no job, and reports' files in `reports/` (a
/// scheduled health check writes one every interval). Runs beside the workers, a small
/// batch at a time with a pause between, so ingest and claims are never held up for long.
struct RetentionService: Service {
    let store: any RetentionStore
    let jobsDirectory: URL
    /// `<data>/reports`, when reports are written.
    var reportsDirectory: URL?
    let retention: TimeInterval
    let clock: any WallClock
    var interval: Duration = .seconds(300)
    var batchSize = 500
    var pause: Duration = .milliseconds(50)
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    _ = try await sweep()
                } catch {
                    logger.warning("deleting old jobs and deliveries failed; trying again later", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Deletes batches until one comes back short; returns how many jobs and deliveries went.
    func sweep() async throws -> (jobs: Int, deliveries: Int) {
        var total = (jobs: 0, deliveries: 0)
        while !Task.isCancelled {
            let pruned = try await store.prune(finishedBefore: clock.now().addingTimeInterval(-retention), limit: batchSize)
            for job in pruned.jobs {
                try? FileManager.default.removeItem(at: jobsDirectory.appendingPathComponent(String(job), isDirectory: true))
            }
            total.jobs += pruned.jobs.count
            total.deliveries += pruned.deliveries
            guard pruned.jobs.count == batchSize || pruned.deliveries >= batchSize else { break }
            try? await Task.sleep(for: pause)
        }
        if total.jobs + total.deliveries > 0 {
            logger.info("deleted old jobs and deliveries", metadata: ["jobs": "\(total.jobs)", "deliveries": "\(total.deliveries)"])
        }
        let reports = pruneReports()
        if reports > 0 { logger.info("deleted old reports", metadata: ["files": "\(reports)"]) }
        return total
    }

    /// Deletes the report files last written before the retention cutoff; returns how many.
    func pruneReports() -> Int {
        guard let reportsDirectory else { return 0 }
        let cutoff = clock.now().addingTimeInterval(-retention)
        let manager = FileManager.default
        let files = (try? manager.contentsOfDirectory(at: reportsDirectory, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        var deleted = 0
        for file in files where ["json", "csv"].contains(file.pathExtension) {
            guard let written = try? file.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate, written < cutoff else {
                continue
            }
            if (try? manager.removeItem(at: file)) != nil { deleted += 1 }
        }
        return deleted
    }
}
