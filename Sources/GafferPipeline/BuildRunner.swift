import Foundation

/// Runs a buildspec as CodeBuild does (the rules are in the shared docs/BUILDSPEC.md).
public struct BuildRunner: Sendable {
    public struct Request: Sendable {
        public var buildspec: Buildspec
        /// Where the commands run: the source, as CODEBUILD_SRC_DIR.
        public var sourceDirectory: String
        public var logPath: String
        public var buildID = "gaffer:\(UUID().uuidString.lowercased())"
        public var buildNumber = 1
        /// The commit (CODEBUILD_RESOLVED_SOURCE_VERSION) and what was asked for (`pr/<n>` for a pull request).
        public var resolvedSourceVersion = ""
        public var sourceVersion = ""
        /// Variables given when the build starts: they win over the project's and the buildspec's.
        public var startVariables: [String: String] = [:]
        public var projectVariables: [String: String] = [:]
        public var timeout: Duration = .seconds(3600)
        /// After the timeout's SIGTERM, how long before SIGKILL.
        public var killGrace: Duration = .seconds(5)
        /// Where artifacts are copied (`<data>/jobs/<id>/artifacts`); nil collects none.
        public var artifactsDirectory: String?

        public init(buildspec: Buildspec, sourceDirectory: String, logPath: String) {
            self.buildspec = buildspec
            self.sourceDirectory = sourceDirectory
            self.logPath = logPath
        }
    }

    public var resolver: any ParameterResolver
    /// The environment every build starts from; none of Gaffer's own variables.
    public var baseEnvironment: [String: String]
    public var isolation: BuildIsolation

    public init(
        resolver: any ParameterResolver = StaticParameterResolver(),
        baseEnvironment: [String: String] = BuildRunner.cleanEnvironment(),
        isolation: BuildIsolation = BuildIsolation()
    ) {
        self.resolver = resolver
        self.baseEnvironment = baseEnvironment
        self.isolation = isolation
    }

    /// PATH, HOME and LANG: the least a build needs, taken from this process.
    public static func cleanEnvironment() -> [String: String] {
        let mine = ProcessInfo.processInfo.environment
        return [
            "PATH": mine["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": mine["HOME"] ?? "/root",
            "LANG": mine["LANG"] ?? "C.UTF-8",
        ]
    }

    /// Runs the build to the end; `log` receives the output (subscribe to it before calling).
    public func run(_ request: Request, log: BuildLog) async -> BuildResult {
        let buildspec = request.buildspec
        var result = BuildResult(status: .succeeded, phases: [], exportedVariables: [:], reason: nil, logPath: log.path)
        let environment: [String: String]
        do {
            let secrets: [String]
            (environment, secrets) = try await self.environment(for: request)
            log.mask(secrets)
        } catch {
            log.note("Phase context status code: Secrets Manager Error Message: \(error)")
            result.status = .failed
            result.reason = "could not resolve the buildspec's parameters and secrets: \(error)"
            log.finish()
            return result
        }
        let runAsUsers = ([buildspec.runAs] + buildspec.phases.values.map(\.runAs)).compactMap { $0 }
        if let refusal = runAsUsers.lazy.compactMap(isolation.refusal(ofRunAs:)).first {
            log.note(refusal)
            result.status = .failed
            result.reason = refusal
            log.finish()
            return result
        }
        var isolated = environment
        if let user = isolation.user, let entry = getpwnam(user) {
            isolated["HOME"] = String(cString: entry.pointee.pw_dir)
        }
        if isolation.bubblewrap {
            isolated["HOME"] = "/tmp"
        }
        let session = ShellSession(
            version: buildspec.version,
            shell: buildspec.environment.shell,
            environment: isolated,
            directory: request.sourceDirectory,
            isolation: isolation,
            log: log
        )
        let watchdog = Task {
            try await Task.sleep(for: request.timeout)
            await session.stop(.timedOut, grace: request.killGrace)
        }
        defer { watchdog.cancel() }
        await withTaskCancellationHandler {
            await runPhases(buildspec, session: session, into: &result, log: log)
        } onCancel: {
            Task { await session.stop(.stopped, grace: request.killGrace) }
        }
        switch session.stopped {
        case .timedOut:
            result.status = .timedOut
            result.reason = "timed out after \(request.timeout)"
            log.note("Build timed out after \(request.timeout); stopped every process it started")
        case .stopped:
            result.status = .stopped
            result.reason = "stopped"
            log.note("Build stopped; stopped every process it started")
        case nil:
            if !buildspec.environment.exportedVariables.isEmpty {
                result.exportedVariables = await session.values(of: buildspec.environment.exportedVariables)
            }
        }
        await session.close()
        await collectArtifacts(request, into: &result, log: log)
        log.note("Build \(result.status == .succeeded ? "succeeded" : "failed")\(result.reason.map { ": \($0)" } ?? "")")
        log.finish()
        return result.masked(by: log)
    }

    private func runPhases(_ buildspec: Buildspec, session: ShellSession, into result: inout BuildResult, log: BuildLog) async {
        var skipped: Set<PhaseName> = []
        for name in PhaseName.allCases {
            guard let phase = buildspec.phases[name] else { continue }
            guard !skipped.contains(name), !session.timedOut else {
                result.phases.append(PhaseResult(name: name, status: .skipped))
                continue
            }
            let phaseResult = await run(phase, name, in: session, log: log)
            result.phases.append(phaseResult)
            guard phaseResult.status == .failed else { continue }
            // A stopped build's reason is set once it has ended.
            if result.reason == nil && !session.timedOut {
                result.reason =
                    "\(name.rawValue): command did not exit successfully: \(Self.shown(phaseResult.failedCommand ?? "?")) exit status \(phaseResult.exitStatus ?? -1)"
            }
            if result.status == .succeeded {
                result.status = .failed
                await session.export("CODEBUILD_BUILD_SUCCEEDING", "0")
            }
            // ABORT: a failed install skips everything after it, a failed pre_build skips build and
            // post_build; post_build runs after a failed build. CONTINUE: go on as if nothing happened.
            if phase.onFailure != .continue {
                switch name {
                case .install: skipped.formUnion([.preBuild, .build, .postBuild])
                case .preBuild: skipped.formUnion([.build, .postBuild])
                case .build, .postBuild: break
                }
            }
        }
    }

    private func run(_ phase: Phase, _ name: PhaseName, in session: ShellSession, log: BuildLog) async -> PhaseResult {
        let title = name.rawValue.uppercased()
        var result = PhaseResult(name: name, status: .succeeded)
        let started = ContinuousClock.now
        let maxAttempts: Int
        let pattern: String?
        if case .retry(let count, let retryPattern) = phase.onFailure {
            maxAttempts = count + 1
            pattern = retryPattern
        } else {
            maxAttempts = 1
            pattern = nil
        }
        for runtime in phase.runtimeVersions.keys.sorted() {
            log.note(
                "Runtime version \(runtime) \(phase.runtimeVersions[runtime] ?? "") requested; Gaffer installs no runtimes, so the build uses what the machine has"
            )
        }
        repeat {
            result.attempts += 1
            log.note("Entering phase \(title)\(result.attempts > 1 ? " (attempt \(result.attempts))" : "")")
            log.startCapture()
            result.failedCommand = nil
            result.exitStatus = nil
            for block in [phase.commands, phase.finally] where !block.isEmpty && !session.timedOut {
                let failure = await session.run(block)
                // A command stopped by the timeout failed, whatever status its shell reported.
                guard let failure = failure ?? (session.timedOut ? (block.count - 1, nil) : nil) else { continue }
                let command = block[failure.index]
                if result.failedCommand == nil {
                    result.failedCommand = command
                    result.exitStatus = session.timedOut ? nil : failure.status ?? -1
                }
                log.note(
                    "Command did not exit successfully \(Self.shown(command)) exit status \(session.timedOut ? "(timed out)" : failure.status.map(String.init) ?? "(killed)")"
                )
            }
            result.status = result.failedCommand == nil ? .succeeded : .failed
            log.note("Phase complete: \(title) State: \(result.status == .succeeded ? "SUCCEEDED" : "FAILED")")
            let output = log.capturedText()
            let retry =
                result.status == .failed && result.attempts < maxAttempts && !session.timedOut
                && (pattern.map { output.range(of: $0, options: .regularExpression) != nil } ?? true)
            if !retry { break }
        } while true
        result.duration = started.duration(to: .now)
        return result
    }

    /// Artifacts and reports, whatever happened to the build (as CodeBuild uploads them).
    private func collectArtifacts(_ request: Request, into result: inout BuildResult, log: BuildLog) async {
        let buildspec = request.buildspec
        if let destination = request.artifactsDirectory {
            var sets: [(String, ArtifactSet)] = buildspec.artifacts.map { [("primary", $0)] } ?? []
            sets += buildspec.secondaryArtifacts.sorted { $0.key < $1.key }
            for (identifier, set) in sets where !set.files.isEmpty {
                do {
                    let source = request.sourceDirectory
                    let collected = try await BlockingWork.run {
                        try ArtifactCollector.collect(set, identifier: identifier, source: source, into: destination)
                    }
                    result.artifacts.append(collected)
                    log.note("Uploading artifacts \(identifier): \(collected.files.count) file\(collected.files.count == 1 ? "" : "s")")
                } catch {
                    log.note("Phase complete: UPLOAD_ARTIFACTS State: FAILED: \(identifier): \(error)")
                    if result.status == .succeeded {
                        result.status = .failed
                        result.reason = "artifacts \(identifier): \(error)"
                    }
                }
            }
        }
        for (name, group) in buildspec.reports.sorted(by: { $0.key < $1.key }) {
            do {
                let source = request.sourceDirectory
                let report = try await BlockingWork.run { try ReportCollector.collect(group, name: name, source: source) }
                result.reports.append(report)
                log.note(
                    "Report \(name): \(report.parsed ? "\(report.tests) tests, \(report.failed) failed, \(report.errors) errors, \(report.skipped) skipped" : "\(report.files.count) \(group.format.rawValue) files, not read")"
                )
                report.problems.forEach { log.note("Report \(name): \($0)") }
            } catch {
                log.note("Report \(name): \(error)")
            }
        }
    }

    /// A command for a `[Container]` line: its first line, and how many more there are.
    public static func shown(_ command: String) -> String {
        let lines = command.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n", omittingEmptySubsequences: false)
        return lines.count > 1 ? "\(lines[0]) … (\(lines.count) lines)" : String(lines.first ?? "")
    }

    /// Buildspec variables, then its parameters and secrets, then the project's, then the start's;
    /// the CODEBUILD_* ones last, which nothing may override.
    /// Also returns the resolved parameter and secret values, which the log masks.
    private func environment(for request: Request) async throws -> (environment: [String: String], secrets: [String]) {
        let buildspec = request.buildspec.environment
        var environment = baseEnvironment
        var secrets: [String] = []
        for (name, value) in buildspec.variables { environment[name] = value }
        for (name, parameter) in buildspec.parameterStore.sorted(by: { $0.key < $1.key }) {
            let value = try await resolver.parameter(named: parameter)
            environment[name] = value
            secrets.append(value)
        }
        for (name, reference) in buildspec.secretsManager.sorted(by: { $0.key < $1.key }) {
            let value = try await resolver.secret(reference)
            environment[name] = value
            secrets.append(value)
        }
        environment.merge(request.projectVariables) { $1 }
        environment.merge(request.startVariables) { $1 }
        environment.merge([
            "CODEBUILD_SRC_DIR": request.sourceDirectory,
            "CODEBUILD_BUILD_ID": request.buildID,
            "CODEBUILD_BUILD_NUMBER": String(request.buildNumber),
            "CODEBUILD_BUILD_SUCCEEDING": "1",
            "CODEBUILD_RESOLVED_SOURCE_VERSION": request.resolvedSourceVersion,
            "CODEBUILD_SOURCE_VERSION": request.sourceVersion,
            "CODEBUILD_START_TIME": String(Int64(Date().timeIntervalSince1970 * 1000)),
        ]) { $1 }
        return (environment, secrets)
    }
}
