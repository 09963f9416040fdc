import Foundation

/// The process environment and home folder the SDKs read settings from, passed in
/// so that tests give a fake one.
public struct AWSEnvironment: Sendable {
    public var variables: [String: String]
    public var home: String

    public init(variables: [String: String], home: String) {
        self.variables = variables
        self.home = home
    }

    public static func current() -> AWSEnvironment {
        let variables = ProcessInfo.processInfo.environment
        return AWSEnvironment(variables: variables, home: variables["HOME"] ?? NSHomeDirectory())
    }

    /// A variable's value; empty counts as unset, as in the SDKs.
    public subscript(_ name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    /// `AWS_PROFILE`, else `AWS_DEFAULT_PROFILE`, else `default`.
    public var profileName: String { self["AWS_PROFILE"] ?? self["AWS_DEFAULT_PROFILE"] ?? "default" }

    func expandingHome(_ path: String) -> String {
        path.hasPrefix("~/") ? home + path.dropFirst() : path
    }

    var configFilePath: String { expandingHome(self["AWS_CONFIG_FILE"] ?? "~/.aws/config") }
    var credentialsFilePath: String { expandingHome(self["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials") }
}
