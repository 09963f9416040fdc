import ArgumentParser
import Foundation
import GafferApp
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

    /// Sends logs to standard error at the configured level; returns the root logger.
    static func bootstrap(_ configuration: GafferConfiguration, metrics: GafferMetrics? = nil) -> Logger {
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        if let metrics {
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
        }
        return Logger(label: "gaffer")
    }
}
