/// A CodeBuild buildspec, as `BuildspecLoader` reads it.
///
/// Only what the runner needs is typed; the rules it follows are in
/// `docs/BUILDSPEC.md` of the shared documentation.
public struct Buildspec: Sendable, Equatable {
    public enum Version: String, Sendable {
        /// Every command in a fresh shell.
        case v0_1 = "0.1"
        /// One shell for the whole build.
        case v0_2 = "0.2"
    }

    public var version: Version
    /// The user the whole build runs as (`run-as` at the top).
    public var runAs: String?
    public var environment = Environment()
    /// The listed phases; the runner runs them in `PhaseName` order whatever order the file gives.
    public var phases: [PhaseName: Phase] = [:]
    public var artifacts: ArtifactSet?
    public var secondaryArtifacts: [String: ArtifactSet] = [:]
    public var reports: [String: ReportGroup] = [:]
    public var cache: Cache?
    public var batch: Batch?

    public init(version: Version) {
        self.version = version
    }
}

public enum PhaseName: String, Sendable, CaseIterable, Comparable {
    case install, preBuild = "pre_build", build, postBuild = "post_build"

    public static func < (lhs: PhaseName, rhs: PhaseName) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

public struct Phase: Sendable, Equatable {
    public var commands: [String] = []
    public var finally: [String] = []
    public var onFailure: OnFailure = .abort
    public var runAs: String?
    /// `install` only: runtime name to version, recorded (a runner without the runtime warns).
    public var runtimeVersions: [String: String] = [:]

    public init() {}
}

/// What a failing phase does to the rest of the build.
public enum OnFailure: Sendable, Equatable {
    case abort
    case `continue`
    /// `RETRY`, `RETRY-<n>`, `RETRY-<regex>`, `RETRY-<n>-<regex>`: run the phase again, up to `count`
    /// times (3 when not given), while its output matches `pattern`. From the CodeBuild User Guide's
    /// buildspec reference, which documents these without saying what CodeBuild's default count is (unsure).
    case retry(count: Int, pattern: String?)
}

public struct Environment: Sendable, Equatable {
    public enum Shell: String, Sendable {
        case bash, sh = "/bin/sh"
    }

    /// In the file's order; values verbatim (no expansion).
    public var variables: [(name: String, value: String)] = []
    /// Variable name to SSM parameter name.
    public var parameterStore: [String: String] = [:]
    public var secretsManager: [String: SecretReference] = [:]
    public var exportedVariables: [String] = []
    public var shell: Shell = .bash
    public var gitCredentialHelper = false

    public init() {}

    public static func == (lhs: Environment, rhs: Environment) -> Bool {
        lhs.variables.map(\.name) == rhs.variables.map(\.name) && lhs.variables.map(\.value) == rhs.variables.map(\.value)
            && lhs.parameterStore == rhs.parameterStore && lhs.secretsManager == rhs.secretsManager
            && lhs.exportedVariables == rhs.exportedVariables && lhs.shell == rhs.shell && lhs.gitCredentialHelper == rhs.gitCredentialHelper
    }
}

/// `secret-id:json-key:version-stage:version-id`.
public struct SecretReference: Sendable, Equatable {
    public var secretID: String
    /// Empty: the whole secret.
    public var jsonKey: String
    public var versionStage: String
    public var versionID: String?

    public init(secretID: String, jsonKey: String, versionStage: String, versionID: String?) {
        self.secretID = secretID
        self.jsonKey = jsonKey
        self.versionStage = versionStage
        self.versionID = versionID
    }
}

public struct ArtifactSet: Sendable, Equatable {
    public var files: [String]
    public var name: String?
    public var baseDirectory: String?
    public var discardPaths = false
    public var excludePaths: [String] = []

    public init(files: [String], name: String? = nil, baseDirectory: String? = nil, discardPaths: Bool = false, excludePaths: [String] = []) {
        self.files = files
        self.name = name
        self.baseDirectory = baseDirectory
        self.discardPaths = discardPaths
        self.excludePaths = excludePaths
    }
}

public struct ReportGroup: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        case junitXML = "JUNITXML", cucumberJSON = "CUCUMBERJSON", testNGXML = "TESTNGXML"
        case nunitXML = "NUNITXML", nunit3XML = "NUNIT3XML", visualStudioTRX = "VISUALSTUDIOTRX"
    }

    public var files: [String]
    public var baseDirectory: String?
    public var format: Format = .junitXML
    public var discardPaths = false
}

public struct Cache: Sendable, Equatable {
    public var paths: [String]
    public var key: String?
    public var fallbackKeys: [String] = []
}

public struct Batch: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case buildList = "build-list", buildMatrix = "build-matrix", buildGraph = "build-graph"
    }

    public struct Build: Sendable, Equatable {
        public var identifier: String?
        public var buildspec: String?
        public var dependsOn: [String] = []
        public var ignoreFailure = false
        public var variables: [String: String] = [:]
    }

    public var kind: Kind
    public var fastFail = false
    /// For a list or a graph: the builds; for a matrix: none (see `matrix`).
    public var builds: [Build] = []
    /// For a matrix: each dynamic dimension and its values.
    public var matrix: [String: [String]] = [:]
}

extension Batch {
    /// What stops these builds from running in order: an identifier given twice, a `depend-on`
    /// naming no build, or a cycle, in which no build could ever start; nil when they can run.
    static func graphProblem(_ builds: [(identifier: String, dependsOn: [String])]) -> String? {
        var seen: Set<String> = []
        for build in builds where !seen.insert(build.identifier).inserted {
            return "two builds have the identifier \(build.identifier); give each build its own"
        }
        for build in builds {
            if let missing = build.dependsOn.first(where: { !seen.contains($0) }) {
                return "build \(build.identifier) depends on \(missing), which is not in the batch"
            }
        }
        // Kahn's order: whatever never becomes ready is on a cycle (or waits for one).
        let dependsOn = Dictionary(builds.map { ($0.identifier, Set($0.dependsOn)) }) { $1 }
        var done: Set<String> = []
        while true {
            let ready = builds.map(\.identifier).filter { !done.contains($0) && (dependsOn[$0] ?? []).isSubset(of: done) }
            if ready.isEmpty { break }
            done.formUnion(ready)
        }
        let stuck = builds.map(\.identifier).filter { !done.contains($0) }
        guard !stuck.isEmpty else { return nil }
        return
            "the builds \(stuck.joined(separator: ", ")) depend on each other in a cycle, so none of them could start; remove a depend-on to break it"
    }
}
