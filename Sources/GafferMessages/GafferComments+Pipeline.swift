import GafferCore

/// One build's line in the pipeline check run's summary.
public struct PipelineBuildSummary: Sendable, Equatable {
    public var buildspec: String
    public var succeeded: Bool
    public var status: String
    public var detail: String

    public init(buildspec: String, succeeded: Bool, status: String, detail: String) {
        self.buildspec = buildspec
        self.succeeded = succeeded
        self.status = status
        self.detail = detail
    }
}

extension GafferComments {
    /// The `gaffer/pipeline` check run's summary: each buildspec and how it ended.
    public func pipelineSummary(_ builds: [PipelineBuildSummary]) throws -> String {
        let rows = builds.map { build -> [String: Any] in
            [
                "buildspec": MarkdownText.code(build.buildspec), "mark": build.succeeded ? "✅" : "❌",
                "status": MarkdownText.plain(build.status), "detail": MarkdownText.plain(build.detail),
            ]
        }
        return try templates.render("pipeline-summary", ["builds": rows, "none": builds.isEmpty])
    }
}
