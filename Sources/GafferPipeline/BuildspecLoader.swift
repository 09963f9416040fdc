import Foundation
import GafferCore
import Yams

/// Reads a buildspec and checks it, listing every problem with its line and column.
///
/// It works on YAML's node tree rather than decoding, so each problem can say
/// where it is, and so the usual mistakes get a suggestion: `pre-build` for
/// `pre_build`, `commands` written as one string, GitHub Actions' `steps:`,
/// a phase indented under another, a command YAML read as a mapping because
/// of a `: ` in it, tabs, keys given twice, `version` without its colon.
public enum BuildspecLoader {
    /// Loads the file at `path`; `name` is how problems name it (default: the path).
    public static func load(path: String, name: String? = nil) throws(BuildspecProblems) -> Buildspec {
        let shown = name ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BuildspecProblems(problems: [BuildspecProblem(file: shown, line: 1, column: 1, message: "cannot read the file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw BuildspecProblems(problems: [BuildspecProblem(file: shown, line: 1, column: 1, message: "the file is not UTF-8 text")])
        }
        return try parse(text, file: shown)
    }

    public static func parse(_ text: String, file: String = "buildspec.yml") throws(BuildspecProblems) -> Buildspec {
        var reader = BuildspecReader(file: file)
        reader.checkTabs(text)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            reader.yamlError(error, text: text)
            throw BuildspecProblems(problems: reader.problems)
        } catch {
            reader.report(line: 1, column: 1, "is not YAML: \(error)")
            throw BuildspecProblems(problems: reader.problems)
        }
        guard let root, let buildspec = reader.buildspec(root), reader.problems.isEmpty else {
            if reader.problems.isEmpty {
                reader.report(line: 1, column: 1, "the file is empty; a buildspec needs at least `version: 0.2` and `phases:`")
            }
            throw BuildspecProblems(problems: reader.problems)
        }
        return buildspec
    }
}

/// The walk over the node tree; collects problems as it goes.
struct BuildspecReader {
    let file: String
    private(set) var problems: [BuildspecProblem] = []

    // eb_codebuild_settings is Elastic Beanstalk's own key, which CodeBuild ignores.
    static let topKeys = ["version", "run-as", "env", "proxy", "batch", "phases", "reports", "artifacts", "cache", "eb_codebuild_settings"]
    static let envKeys = ["shell", "variables", "parameter-store", "exported-variables", "secrets-manager", "git-credential-helper"]
    static let phaseKeys = ["run-as", "on-failure", "runtime-versions", "commands", "finally"]
    static let artifactKeys = [
        "files", "name", "discard-paths", "base-directory", "exclude-paths", "enable-symlinks", "s3-prefix", "secondary-artifacts",
    ]
    static let reportKeys = ["files", "base-directory", "discard-paths", "file-format"]
    static let cacheKeys = ["key", "fallback-keys", "action", "paths"]
    static let batchKeys = ["fast-fail", "build-graph", "build-list", "build-matrix", "build-fanout"]
    static let batchBuildKeys = ["identifier", "buildspec", "debug-session", "depend-on", "env", "ignore-failure"]

    init(file: String) {
        self.file = file
    }

    mutating func report(line: Int, column: Int, _ message: String) {
        problems.append(BuildspecProblem(file: file, line: line, column: column, message: message))
    }

    mutating func report(_ node: Node, _ message: String) {
        report(line: node.mark?.line ?? 1, column: node.mark?.column ?? 1, message)
    }

    // MARK: - Text-level checks

    mutating func checkTabs(_ text: String) {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let indentation = line.prefix { $0 == " " || $0 == "\t" }
            if let tab = indentation.firstIndex(of: "\t") {
                report(
                    line: index + 1,
                    column: line.distance(from: line.startIndex, to: tab) + 1,
                    "a tab in the indentation; YAML indents with spaces only"
                )
            }
        }
    }

    mutating func yamlError(_ error: YamlError, text: String) {
        // A missing colon after `version` makes the whole file unreadable; say so rather than what libyaml saw.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if let index = lines.firstIndex(where: { $0.range(of: #"^version\s+[0-9.]+\s*$"#, options: .regularExpression) != nil }) {
            report(line: index + 1, column: 8, "`version` needs a colon after it: version: 0.2")
            return
        }
        switch error {
        case .duplicatedKeysInMapping(let duplicates, let context):
            for key in duplicates {
                let lines = Self.linesOfKey(key, in: lines, from: context.mark)
                report(
                    line: lines.dropFirst().first ?? context.mark.line,
                    column: context.mark.column,
                    "`\(key)` is given more than once in the same mapping (lines \(lines.map(String.init).joined(separator: ", "))); keep one"
                )
            }
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            if problems.contains(where: { $0.message.contains("tab") }) { return }  // the tab is the cause
            let around = context.map { " \($0.text)" } ?? ""
            report(
                line: mark.line,
                column: mark.column,
                "not valid YAML: \(problem)\(around); check the indentation and quote values that contain ': ' or start with '*', '&', '!', '{' or '['"
            )
        default:
            report(line: 1, column: 1, "not valid YAML: \(error)")
        }
    }

    /// The lines where `key` starts an entry of the mapping whose first entry is at `mark`.
    static func linesOfKey(_ key: String, in lines: [Substring], from mark: Mark) -> [Int] {
        let indentation = mark.column - 1
        var found: [Int] = []
        for index in (mark.line - 1)..<lines.count {
            let line = lines[index]
            let text = line.drop { $0 == " " }
            if text.isEmpty || text.hasPrefix("#") { continue }
            let depth = line.count - text.count
            if depth < indentation { break }
            if depth == indentation && (text.hasPrefix(key + ":") || text.hasPrefix("\"\(key)\":")) { found.append(index + 1) }
        }
        return found.isEmpty ? [mark.line] : found
    }

    // MARK: - The buildspec

    mutating func buildspec(_ root: Node) -> Buildspec? {
        guard let top = mapping(root, "the buildspec") else { return nil }
        unknownKeys(top, allowed: Self.topKeys, in: "the buildspec", hint: Self.topLevelHint)
        guard let versionNode = top["version"] else {
            report(root, "`version` is missing; start the file with `version: 0.2`")
            return nil
        }
        guard let text = versionNode.scalar?.string, let version = Buildspec.Version(rawValue: text) else {
            report(
                versionNode,
                "version \(versionNode.scalar?.string ?? "?") is not supported; use 0.2 (or 0.1, where every command runs in a fresh shell)"
            )
            return nil
        }
        var buildspec = Buildspec(version: version)
        if let runAs = top["run-as"] { buildspec.runAs = scalar(runAs, "run-as") }
        if let env = top["env"] { buildspec.environment = environment(env) }
        if let phases = top["phases"] {
            buildspec.phases = self.phases(phases)
        } else if top["batch"] == nil {
            // A batch buildspec may leave the phases to the buildspecs its builds name.
            report(root, "`phases` is missing; a buildspec needs at least one of install, pre_build, build, post_build with commands")
        }
        if let artifacts = top["artifacts"], let set = artifactSet(artifacts, "artifacts") {
            buildspec.artifacts = set
            if let secondary = mapping(artifacts)?["secondary-artifacts"], let sets = mapping(secondary, "secondary-artifacts") {
                for (name, node) in sets.pairs {
                    if !ContainedPath.isName(name), let keyNode = sets.keyNode(name) {
                        report(keyNode, "the secondary artifact identifier `\(name)` is not a name; use letters, digits, _ and -")
                    }
                    if let set = artifactSet(node, "secondary-artifacts.\(name)") { buildspec.secondaryArtifacts[name] = set }
                }
            }
        }
        if let reports = top["reports"] { buildspec.reports = self.reports(reports) }
        if let cache = top["cache"] { buildspec.cache = self.cache(cache) }
        if let batch = top["batch"] { buildspec.batch = self.batch(batch) }
        return buildspec
    }

    static func topLevelHint(_ key: String) -> String? {
        if key == "steps" || key == "jobs" || key == "runs-on" {
            return
                "this looks like a GitHub Actions workflow; a buildspec lists shell commands under phases: (install, pre_build, build, post_build) → commands:"
        }
        if PhaseName(rawValue: key) != nil {
            return "\(key) is a phase; indent it under phases:"
        }
        return nil
    }

    mutating func phases(_ node: Node) -> [PhaseName: Phase] {
        guard let map = mapping(node, "phases") else { return [:] }
        var phases: [PhaseName: Phase] = [:]
        for (name, value) in map.pairs {
            guard let phaseName = PhaseName(rawValue: name) else {
                let names = PhaseName.allCases.map(\.rawValue)
                let hint: String
                if name == "steps" {
                    hint = "GitHub Actions' steps: have no place in a buildspec; list shell commands under a phase's commands:"
                } else if let near = PhaseName(rawValue: name.replacingOccurrences(of: "-", with: "_").lowercased())?.rawValue
                    ?? EditDistance.nearest(to: name, in: names, within: 3)
                {
                    hint = "did you mean \(near)?"
                } else {
                    hint = "the phases are \(names.joined(separator: ", "))"
                }
                report(map.keyNode(name) ?? value, "`\(name)` is not a phase; \(hint)")
                continue
            }
            if let phase = phase(value, phaseName) { phases[phaseName] = phase }
        }
        return phases
    }

    mutating func phase(_ node: Node, _ name: PhaseName) -> Phase? {
        guard let map = mapping(node, name.rawValue) else { return nil }
        var allowed = Self.phaseKeys
        if name != .install { allowed.removeAll { $0 == "runtime-versions" } }
        unknownKeys(map, allowed: allowed, in: name.rawValue) { key in
            if PhaseName(rawValue: key) != nil || Self.topKeys.contains(key) {
                return
                    "\(key) is indented under \(name.rawValue); move it left to line up with \(PhaseName(rawValue: key) != nil ? name.rawValue : "phases")"
            }
            if key == "steps" { return "GitHub Actions' steps: have no place in a buildspec; use commands: with one shell command per line" }
            if name != .install && key == "runtime-versions" { return "runtime-versions belongs to the install phase" }
            return nil
        }
        var phase = Phase()
        if let commands = map["commands"] {
            phase.commands = self.commands(commands, "\(name.rawValue).commands")
        } else if name != .install {
            report(node, "\(name.rawValue) has no commands:; every phase but install needs a list of commands")
        }
        if let finally = map["finally"] { phase.finally = commands(finally, "\(name.rawValue).finally") }
        if let runAs = map["run-as"] { phase.runAs = scalar(runAs, "\(name.rawValue).run-as") }
        if let onFailure = map["on-failure"] { phase.onFailure = self.onFailure(onFailure) }
        if let versions = map["runtime-versions"], let pairs = mapping(versions, "runtime-versions") {
            for (runtime, value) in pairs.pairs { phase.runtimeVersions[runtime] = scalar(value, "runtime-versions.\(runtime)") ?? "" }
        }
        return phase
    }

    mutating func commands(_ node: Node, _ context: String) -> [String] {
        if case .scalar(let scalar) = node {
            if Node.scalar(scalar).null != nil || scalar.string.isEmpty {
                report(node, "\(context) is empty; give at least one command, each on a line starting with '- '")
            } else {
                report(node, "\(context) must be a list: put each command on its own line starting with '- '")
            }
            return []
        }
        guard let items = node.sequence else {
            report(node, "\(context) must be a list of commands, each on a line starting with '- '")
            return []
        }
        var commands: [String] = []
        for item in items {
            switch item {
            case .scalar(let scalar):
                commands.append(scalar.string)
            case .mapping(let pairs) where pairs.count == 1:
                report(item, "a command in \(context) was read as a mapping because of the ': ' in it; put the whole command in quotes")
            default:
                report(item, "a command in \(context) is not a string; write each command as text on a line starting with '- '")
            }
        }
        return commands
    }

    mutating func onFailure(_ node: Node) -> OnFailure {
        let text = scalar(node, "on-failure") ?? "ABORT"
        switch text {
        case "ABORT": return .abort
        case "CONTINUE": return .continue
        default:
            if text.hasPrefix("RETRY") {
                // RETRY, RETRY-<n>, RETRY-<regex>, RETRY-<n>-<regex>
                let rest = text.dropFirst("RETRY".count).drop { $0 == "-" }
                let parts = rest.split(separator: "-", maxSplits: 1).map(String.init)
                if let count = parts.first.flatMap(Int.init) {
                    return .retry(count: count, pattern: parts.count > 1 ? parts[1] : nil)
                }
                return .retry(count: 3, pattern: rest.isEmpty ? nil : String(rest))
            }
            report(
                node,
                "on-failure is ABORT, CONTINUE or RETRY (RETRY-<n>, RETRY-<regex>, RETRY-<n>-<regex>), not '\(text)'\(["abort", "continue"].contains(text.lowercased()) ? "; write it in capitals" : "")"
            )
            return .abort
        }
    }

    mutating func environment(_ node: Node) -> Environment {
        var environment = Environment()
        guard let map = mapping(node, "env") else { return environment }
        unknownKeys(map, allowed: Self.envKeys, in: "env")
        if let shell = map["shell"], let text = scalar(shell, "env.shell") {
            if let value = Environment.Shell(rawValue: text) {
                environment.shell = value
            } else {
                report(shell, "env.shell is bash or /bin/sh on Linux, not '\(text)'")
            }
        }
        if let variables = map["variables"], let pairs = mapping(variables, "env.variables") {
            for (name, value) in pairs.pairs {
                if name.hasPrefix("CODEBUILD_") {
                    report(pairs.keyNode(name) ?? value, "\(name): names starting CODEBUILD_ are reserved for the build")
                }
                environment.variables.append((name, scalar(value, "env.variables.\(name)") ?? ""))
            }
        }
        if let parameters = map["parameter-store"], let pairs = mapping(parameters, "env.parameter-store") {
            for (name, value) in pairs.pairs { environment.parameterStore[name] = scalar(value, "env.parameter-store.\(name)") }
        }
        if let secrets = map["secrets-manager"], let pairs = mapping(secrets, "env.secrets-manager") {
            for (name, value) in pairs.pairs {
                guard let text = scalar(value, "env.secrets-manager.\(name)") else { continue }
                if let reference = Self.secretReference(text) {
                    environment.secretsManager[name] = reference
                } else {
                    report(value, "env.secrets-manager.\(name): give secret-id:json-key:version-stage:version-id with a stage or an id, not both")
                }
            }
        }
        if let exported = map["exported-variables"] { environment.exportedVariables = strings(exported, "env.exported-variables") }
        if let helper = map["git-credential-helper"] { environment.gitCredentialHelper = bool(helper, "env.git-credential-helper") ?? false }
        return environment
    }

    /// `secret-id:json-key:version-stage:version-id`; the secret id may be an ARN, which has colons of its own.
    static func secretReference(_ text: String) -> SecretReference? {
        var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var secretID = parts.removeFirst()
        if secretID == "arn" && parts.count >= 6 {
            secretID = ([secretID] + parts.prefix(6)).joined(separator: ":")
            parts.removeFirst(6)
        }
        let jsonKey = parts.count > 0 ? parts[0] : ""
        let stage = parts.count > 1 ? parts[1] : ""
        let id = parts.count > 2 ? parts[2] : ""
        guard !secretID.isEmpty, stage.isEmpty || id.isEmpty, parts.count <= 3 else { return nil }
        return SecretReference(
            secretID: secretID,
            jsonKey: jsonKey,
            versionStage: stage.isEmpty ? "AWSCURRENT" : stage,
            versionID: id.isEmpty ? nil : id
        )
    }

    mutating func artifactSet(_ node: Node, _ context: String) -> ArtifactSet? {
        guard let map = mapping(node, context) else { return nil }
        unknownKeys(map, allowed: Self.artifactKeys, in: context)
        // Only secondary artifacts may stand without files of their own.
        guard let filesNode = map["files"] else {
            if map["secondary-artifacts"] == nil {
                report(node, "\(context) needs files: (globs such as '**/*')")
                return nil
            }
            return ArtifactSet(files: [])
        }
        var set = ArtifactSet(files: strings(filesNode, "\(context).files"))
        containedPaths(set.files, filesNode, "\(context).files")
        if let name = map["name"] { set.name = scalar(name, "\(context).name") }
        if let base = map["base-directory"] { set.baseDirectory = containedPath(base, "\(context).base-directory") }
        if let discard = map["discard-paths"] { set.discardPaths = bool(discard, "\(context).discard-paths") ?? false }
        if let exclude = map["exclude-paths"] { set.excludePaths = strings(exclude, "\(context).exclude-paths") }
        return set
    }

    mutating func reports(_ node: Node) -> [String: ReportGroup] {
        guard let map = mapping(node, "reports") else { return [:] }
        if map.pairs.count > 5 {
            report(node, "reports has \(map.pairs.count) report groups; at most 5 are allowed")
        }
        var groups: [String: ReportGroup] = [:]
        for (name, value) in map.pairs {
            guard let group = mapping(value, "reports.\(name)") else { continue }
            unknownKeys(group, allowed: Self.reportKeys, in: "reports.\(name)")
            guard let files = group["files"] else {
                report(value, "reports.\(name) needs files:")
                continue
            }
            var report = ReportGroup(files: strings(files, "reports.\(name).files"))
            containedPaths(report.files, files, "reports.\(name).files")
            if let base = group["base-directory"] { report.baseDirectory = containedPath(base, "reports.\(name).base-directory") }
            if let discard = group["discard-paths"] { report.discardPaths = bool(discard, "reports.\(name).discard-paths") ?? false }
            if let formatNode = group["file-format"], let text = scalar(formatNode, "reports.\(name).file-format") {
                if let format = ReportGroup.Format(rawValue: text.uppercased()) {
                    report.format = format
                } else {
                    self.report(
                        formatNode,
                        "reports.\(name).file-format '\(text)' is not one of \(ReportGroup.Format.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
            }
            groups[name] = report
        }
        return groups
    }

    mutating func cache(_ node: Node) -> Cache? {
        guard let map = mapping(node, "cache") else { return nil }
        unknownKeys(map, allowed: Self.cacheKeys, in: "cache")
        guard let paths = map["paths"] else {
            report(node, "cache needs paths:")
            return nil
        }
        var cache = Cache(paths: strings(paths, "cache.paths"))
        if let key = map["key"] { cache.key = scalar(key, "cache.key") }
        if let fallback = map["fallback-keys"] {
            cache.fallbackKeys = strings(fallback, "cache.fallback-keys")
            if cache.fallbackKeys.count > 5 { report(fallback, "cache.fallback-keys has \(cache.fallbackKeys.count) keys; at most 5 are allowed") }
        }
        return cache
    }

    mutating func batch(_ node: Node) -> Batch? {
        guard let map = mapping(node, "batch") else { return nil }
        unknownKeys(map, allowed: Self.batchKeys, in: "batch")
        let kinds = [Batch.Kind.buildList, .buildMatrix, .buildGraph].filter { map[$0.rawValue] != nil }
        guard let kind = kinds.first else {
            report(node, "batch needs one of build-list, build-matrix or build-graph")
            return nil
        }
        var batch = Batch(kind: kind)
        if let fastFail = map["fast-fail"] { batch.fastFail = bool(fastFail, "batch.fast-fail") ?? false }
        guard let body = map[kind.rawValue] else { return batch }
        switch kind {
        case .buildList, .buildGraph:
            guard let items = body.sequence else {
                report(body, "batch.\(kind.rawValue) must be a list of builds")
                return batch
            }
            for item in items {
                guard let entry = mapping(item, "a build in batch.\(kind.rawValue)") else { continue }
                unknownKeys(entry, allowed: Self.batchBuildKeys, in: "a build in batch.\(kind.rawValue)")
                var build = Batch.Build()
                build.identifier = entry["identifier"].flatMap { scalar($0, "identifier") }
                if let identifier = build.identifier, !ContainedPath.isName(identifier), let node = entry["identifier"] {
                    report(node, "the build identifier `\(identifier)` is not a name; use letters, digits, _ and -")
                }
                build.buildspec = entry["buildspec"].flatMap { containedPath($0, "buildspec") }
                if let depends = entry["depend-on"] { build.dependsOn = strings(depends, "depend-on") }
                if let ignore = entry["ignore-failure"] { build.ignoreFailure = bool(ignore, "ignore-failure") ?? false }
                if let variables = entry["env"].flatMap({ mapping($0) })?["variables"], let pairs = mapping(variables, "env.variables") {
                    for (name, value) in pairs.pairs { build.variables[name] = scalar(value, "env.variables.\(name)") }
                }
                if kind == .buildGraph && build.identifier == nil {
                    report(item, "every build in batch.build-graph needs an identifier:, which depend-on refers to")
                }
                batch.builds.append(build)
            }
            let graph = batch.builds.enumerated().map { index, build in
                (identifier: build.identifier ?? "build\(index + 1)", dependsOn: kind == .buildGraph ? build.dependsOn : [])
            }
            if let problem = Batch.graphProblem(graph) { report(body, "batch.\(kind.rawValue): \(problem)") }
        case .buildMatrix:
            if let dynamic = mapping(body)?["dynamic"].flatMap({ mapping($0) }) {
                if let buildspecs = dynamic["buildspec"] {
                    batch.matrix["buildspec"] = strings(buildspecs, "build-matrix.dynamic.buildspec")
                    containedPaths(batch.matrix["buildspec"] ?? [], buildspecs, "build-matrix.dynamic.buildspec")
                }
                if let variables = dynamic["env"].flatMap({ mapping($0) })?["variables"],
                    let pairs = mapping(variables, "build-matrix.dynamic.env.variables")
                {
                    for (name, values) in pairs.pairs { batch.matrix[name] = strings(values, "build-matrix.dynamic.env.variables.\(name)") }
                }
            }
        }
        return batch
    }

    // MARK: - Node helpers

    /// A mapping with string keys, in the file's order; reports `context` when the node is something else.
    mutating func mapping(_ node: Node, _ context: String? = nil) -> Pairs? {
        guard case .mapping(let map) = node else {
            if let context {
                if case .scalar(let scalar) = node, Node.scalar(scalar).null != nil {
                    report(node, "\(context) is empty; give its settings indented under it, or remove it")
                } else {
                    report(node, "\(context) must be a mapping of keys to values")
                }
            }
            return nil
        }
        return Pairs(map.map { ($0.key.scalar?.string ?? "", $0.key, $0.value) })
    }

    mutating func scalar(_ node: Node, _ context: String) -> String? {
        guard case .scalar(let scalar) = node else {
            report(node, "\(context) must be a single value, not a list or mapping")
            return nil
        }
        return Node.scalar(scalar).null != nil ? "" : scalar.string
    }

    /// A list of values; a single value counts as a list of one (CodeBuild reads `files: '**/*'` too).
    mutating func strings(_ node: Node, _ context: String) -> [String] {
        if case .scalar(let scalar) = node { return Node.scalar(scalar).null != nil ? [] : [scalar.string] }
        guard let items = node.sequence else {
            report(node, "\(context) must be a list")
            return []
        }
        return items.compactMap { scalar($0, "an item of \(context)") }
    }

    /// A path relative to the source folder, refused when it would leave it.
    mutating func containedPath(_ node: Node, _ context: String) -> String? {
        guard let path = scalar(node, context) else { return nil }
        if let problem = ContainedPath.problem(path) { report(node, "\(context) \(path) \(problem)") }
        return path
    }

    mutating func containedPaths(_ paths: [String], _ node: Node, _ context: String) {
        for path in paths {
            if let problem = ContainedPath.problem(path) { report(node, "\(context): \(path) \(problem)") }
        }
    }

    mutating func bool(_ node: Node, _ context: String) -> Bool? {
        guard let text = scalar(node, context)?.lowercased() else { return nil }
        switch text {
        case "yes", "true", "on": return true
        case "no", "false", "off": return false
        default:
            report(node, "\(context) is yes or no, not '\(text)'")
            return nil
        }
    }

    mutating func unknownKeys(_ map: Pairs, allowed: [String], in context: String, hint: (String) -> String? = { _ in nil }) {
        for (key, keyNode, _) in map.entries where !allowed.contains(key) {
            let suggestion =
                hint(key)
                ?? EditDistance.nearest(to: key, in: allowed, within: 3).map { "did you mean \($0)?" }
                ?? "the keys here are \(allowed.joined(separator: ", "))"
            report(keyNode, "`\(key)` is not a key of \(context); \(suggestion)")
        }
    }
}

/// A YAML mapping's entries with their keys as text, in order.
struct Pairs {
    let entries: [(key: String, keyNode: Node, value: Node)]

    init(_ entries: [(String, Node, Node)]) {
        self.entries = entries.map { (key: $0.0, keyNode: $0.1, value: $0.2) }
    }

    subscript(key: String) -> Node? { entries.first { $0.key == key }?.value }
    func keyNode(_ key: String) -> Node? { entries.first { $0.key == key }?.keyNode }
    var pairs: [(String, Node)] { entries.map { ($0.key, $0.value) } }
}
