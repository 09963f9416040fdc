import Foundation
import GafferApp
import GafferCore

public enum TestConfiguration {
    public static let webhookSecret = Secret("test-webhook-secret")
    public static let apiToken = Secret("test-api-token-0123456789")

    /// A configuration for a server in `directory`, on an ephemeral port on 127.0.0.1.
    public static func make(directory: URL, workers: Int = 2) -> GafferConfiguration {
        var configuration = GafferConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.dataDirectory = directory
        configuration.webhookSecrets = [webhookSecret]
        configuration.apiToken = apiToken
        configuration.workers = workers
        configuration.jobBackoffBaseSeconds = 0.05
        configuration.jobBackoffMaxSeconds = 0.2
        configuration.workerPollSeconds = 0.05
        configuration.logLevel = .warning
        // No AWS here: a test that plans points `aws` at moto and turns autoplan back on.
        configuration.changes.autoplan = false
        return configuration
    }
}
