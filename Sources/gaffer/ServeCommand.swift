import ArgumentParser
import GafferApp
import Hummingbird

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the webhook endpoint, the jobs API, health and metrics, and run workers."
    )

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let configuration = try CommandSupport.loadConfiguration(options, needs: [.httpServer, .dataDirectory])
        let metrics = GafferMetrics()
        let logger = CommandSupport.bootstrap(configuration, metrics: metrics)
        let server = try await GafferServer(configuration: configuration, logger: logger, metrics: metrics)
        let application = server.makeApplication { port in
            logger.notice(
                "gaffer is listening",
                metadata: ["address": "http://\(configuration.host):\(port)", "workers": "\(configuration.workers)"]
            )
        }
        try await application.runService()
        server.store.shutdown()
    }
}
