import Foundation

/// Runs a batch buildspec: a list of builds at once, every combination of a matrix,
/// or a graph in the order its `depend-on`s give, each build with a log of its own.
public struct BatchRunner: Sendable {
    public struct Outcome: Sendable, Equatable {
        public let identifier: String
        /// Nil when the build never started: a dependency failed, or fast-fail stopped the batch first.
        public let result: BuildResult?
        public let ignoreFailure: Bool

        var failed: Bool { result.map { $0.status != .succeeded } ?? false }
    }

    public struct Result: Sendable, Equatable {
        public var succeeded: Bool
        public var builds: [Outcome]
    }

    public var runner: BuildRunner

    public init(runner: BuildRunner = BuildRunner()) {
        self.runner = runner
    }

    /// Runs `batch` for `request` (its buildspec is the batch's own). Each build runs in a copy of the
    /// source, as CodeBuild gives each its own, at `<workDirectory>/<identifier>/src`, with its log beside it.
    public func run(_ batch: Batch, request: BuildRunner.Request, workDirectory: String) async throws -> Result {
        let builds = try plan(batch, request: request)
        let state = BatchState(builds: builds)
        await withTaskGroup(of: Void.self) { group in
            func startReady() {
                for build in state.takeReady() {
                    group.addTask {
                        var buildRequest = build.request
                        let folder = workDirectory + "/" + build.identifier
                        buildRequest.logPath = folder + "/build.log"
                        buildRequest.sourceDirectory = folder + "/src"
                        if buildRequest.artifactsDirectory != nil { buildRequest.artifactsDirectory = folder + "/artifacts" }
                        let result: BuildResult
                        do {
                            let (from, to) = (request.sourceDirectory, buildRequest.sourceDirectory)
                            try await BlockingWork.run {
                                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                                try FileManager.default.copyItem(atPath: from, toPath: to)
                            }
                            let log = try BuildLog(path: buildRequest.logPath)
                            result = await runner.run(buildRequest, log: log)
                        } catch {
                            result = BuildResult(
                                status: .failed,
                                phases: [],
                                exportedVariables: [:],
                                reason: "\(error)",
                                logPath: buildRequest.logPath
                            )
                        }
                        state.finish(build.identifier, result)
                    }
                }
            }
            startReady()
            while await group.next() != nil {
                if batch.fastFail && state.hasFailure {
                    group.cancelAll()  // running builds stop; nothing new starts
                    state.skipPending()
                }
                startReady()
            }
        }
        // A build that never ran because its dependency failed follows that failure: ignored if it was.
        let outcomes = state.outcomes
        return Result(succeeded: !outcomes.contains { $0.failed && !$0.ignoreFailure } && !state.stoppedEarly, builds: outcomes)
    }

    struct PlannedBuild: Sendable {
        let identifier: String
        let dependsOn: [String]
        let ignoreFailure: Bool
        let request: BuildRunner.Request
    }

    /// Each build's request: its own buildspec (relative to the source) or the batch's phases, and its variables.
    func plan(_ batch: Batch, request: BuildRunner.Request) throws -> [PlannedBuild] {
        func load(_ path: String?) throws -> Buildspec {
            guard let path else { return request.buildspec }
            return try BuildspecLoader.load(
                path: try ContainedPath.resolve(path, under: request.sourceDirectory, what: "the batch's buildspec"),
                name: path
            )
        }
        func planned(
            _ identifier: String,
            _ buildspec: Buildspec,
            _ variables: [String: String],
            dependsOn: [String] = [],
            ignore: Bool = false
        ) -> PlannedBuild {
            var single = request
            single.buildspec = buildspec
            single.buildspec.batch = nil
            single.startVariables.merge(variables) { $1 }
            single.buildID = request.buildID + "/" + identifier
            return PlannedBuild(identifier: identifier, dependsOn: dependsOn, ignoreFailure: ignore, request: single)
        }
        switch batch.kind {
        case .buildList, .buildGraph:
            let builds = try batch.builds.enumerated().map { index, build in
                planned(
                    build.identifier ?? "build\(index + 1)",
                    try load(build.buildspec),
                    build.variables,
                    dependsOn: batch.kind == .buildGraph ? build.dependsOn : [],
                    ignore: build.ignoreFailure
                )
            }
            // The loader refuses these with their lines; a batch built in code is checked again here.
            if let problem = Batch.graphProblem(builds.map { ($0.identifier, $0.dependsOn) }) {
                throw BuildspecProblems(problems: [BuildspecProblem(file: "buildspec", line: 1, column: 1, message: problem)])
            }
            return builds
        case .buildMatrix:
            let buildspecs = batch.matrix["buildspec"] ?? []
            let dimensions = batch.matrix.filter { $0.key != "buildspec" }.sorted { $0.key < $1.key }
            var combinations: [[String: String]] = [[:]]
            for (name, values) in dimensions {
                combinations = combinations.flatMap { partial in values.map { partial.merging([name: $0]) { $1 } } }
            }
            var builds: [PlannedBuild] = []
            for path in buildspecs.isEmpty ? [nil] : buildspecs.map(Optional.some) {
                let buildspec = try load(path)
                for variables in combinations {
                    builds.append(planned("build\(builds.count + 1)", buildspec, variables))
                }
            }
            return builds
        }
    }
}

/// Which builds are waiting, running and done; shared by the batch's tasks.
private final class BatchState: @unchecked Sendable {
    // @unchecked: every mutable property is only touched with `lock` held.
    private let lock = NSLock()
    private let order: [String]
    private var waiting: [BatchRunner.PlannedBuild]
    private var results: [String: BuildResult] = [:]
    private var ignoreFailure: [String: Bool] = [:]

    init(builds: [BatchRunner.PlannedBuild]) {
        order = builds.map(\.identifier)
        waiting = builds
        for build in builds { ignoreFailure[build.identifier] = build.ignoreFailure }
    }

    /// The builds whose dependencies have all succeeded; a build whose dependency failed never starts.
    func takeReady() -> [BatchRunner.PlannedBuild] {
        lock.withLock {
            let ready = waiting.filter { build in build.dependsOn.allSatisfy { results[$0]?.status == .succeeded } }
            let blocked = waiting.filter { build in
                build.dependsOn.contains { dependency in results[dependency].map { $0.status != .succeeded } ?? false }
            }
            let taken = Set((ready + blocked).map(\.identifier))
            waiting.removeAll { taken.contains($0.identifier) }
            return ready
        }
    }

    func finish(_ identifier: String, _ result: BuildResult) {
        lock.withLock { results[identifier] = result }
    }

    var hasFailure: Bool {
        lock.withLock { results.contains { $0.value.status != .succeeded && ignoreFailure[$0.key] != true } }
    }

    private(set) var stoppedEarly = false

    func skipPending() {
        lock.withLock {
            stoppedEarly = stoppedEarly || !waiting.isEmpty
            waiting.removeAll()
        }
    }

    var outcomes: [BatchRunner.Outcome] {
        lock.withLock {
            order.map { BatchRunner.Outcome(identifier: $0, result: results[$0], ignoreFailure: ignoreFailure[$0] ?? false) }
        }
    }
}
