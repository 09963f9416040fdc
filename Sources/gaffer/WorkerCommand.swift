import ArgumentParser
import GafferApp
import ServiceLifecycle

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run workers only, without HTTP: start several of these beside one `gaffer serve` to share the work."
    )

    @OptionGroup var options: ConfigOption

    func run() async throws {
        var configuration = try CommandSupport.loadConfiguration(options, needs: [.dataDirectory])
        if configuration.workers == 0 { configuration.workers = 1 }
        let logger = CommandSupport.bootstrap(configuration)
        let server = try await GafferServer(configuration: configuration, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [server.workers],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        server.store.shutdown()
    }
}
