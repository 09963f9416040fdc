import ArgumentParser

@main
struct GafferCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaffer",
        abstract: "A GitHub App that does the AWS work asked for in GitHub issues.",
        subcommands: [
            ServeCommand.self, WorkerCommand.self, MigrateCommand.self, PauseCommand.self, ResumeCommand.self,
            ParseIssueCommand.self, ParseCommentCommand.self, PlanCommand.self, ReportCommand.self, KnowledgeCommand.self, GitHubCommand.self,
            GitCommand.self,
            PipelineCommand.self,
            AWSCommand.self, SandboxCommand.self, DemoCommand.self, MCPCommand.self, VersionCommand.self,
        ]
    )
}

/// `--config PATH`, shared by every command that reads the configuration.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The configuration file (default: gaffer.yml in the working directory, if there, or GAFFER_CONFIG).")
    var config: String?
}
