import ArgumentParser
import Foundation
import GafferApp
import GafferStore
import Logging
import Metrics
import Prometheus

enum CommandSupport {
    /// Loads the configuration, or prints every problem and exits with 2.
    static func loadConfiguration(_ option: ConfigOption, needs: ConfigurationNeeds) throws -> GafferConfiguration {
        do {
            return try ConfigurationLoader.load(file: option.config, needs: needs)
        } catch {
            FileHandle.standardError.write(Data("gaffer: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// The configured store (SQLite in the data directory, or PostgreSQL at `database_url`), migrated;
    /// on failure a line that says where and why, and exit code 2.
    static func openStore(_ configuration: GafferConfiguration) async throws -> (store: any GafferDatabase, applied: [String]) {
        do {
            return try await configuration.openStore(logger: Logger(label: "gaffer.store"))
        } catch {
            FileHandle.standardError.write(Data("gaffer: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// Sends logs to standard error at the configured level; returns the root logger.
    static func bootstrap(_ configuration: GafferConfiguration, metrics: GafferMetrics? = nil) -> Logger {
        let level = configuration.logLevel
        let redactor = configuration.redactor
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return RedactingLogHandler(handler, redactor: redactor)
        }
        if let metrics {
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
        }
        return Logger(label: "gaffer")
    }

    /// The contents of a file, or of standard input for "-"; a clear error when it cannot be read.
    static func readInput(_ path: String) throws -> String {
        let data: Data?
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            // A FileHandle reads devices and pipes too (/dev/null, <(...)), which FileManager does not.
            data = FileHandle(forReadingAtPath: path).map { $0.readDataToEndOfFile() }
        }
        guard let data else {
            throw ValidationError("cannot read \(path): no such file, or it is not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("\(path) is not UTF-8 text")
        }
        return text
    }
}
