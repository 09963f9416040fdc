import Foundation

/// `~/.aws/config` and `~/.aws/credentials` read as the SDKs read them: `[profile NAME]`
/// (or `[default]`) in the config file, `[NAME]` in the credentials file, whose keys win;
/// `[services NAME]` sections with indented per-service settings (`s3 =` then `  endpoint_url = …`).
public struct SharedConfigFiles: Sendable {
    /// Profile name to its settings (nested settings as `parent.child`).
    public var profiles: [String: [String: String]] = [:]
    /// `[services NAME]` sections: section name to `service.setting` keys.
    public var services: [String: [String: String]] = [:]
    /// The files read, for messages.
    public var paths: [String] = []

    public init() {}

    public static func load(_ environment: AWSEnvironment) throws(AWSClientError) -> SharedConfigFiles {
        var files = SharedConfigFiles()
        for (path, isConfig) in [(environment.configFilePath, true), (environment.credentialsFilePath, false)] {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            files.paths.append(path)
            try files.read(String(decoding: data, as: UTF8.self), path: path, isConfig: isConfig)
        }
        return files
    }

    mutating func read(_ text: String, path: String, isConfig: Bool) throws(AWSClientError) {
        enum Section { case profile(String), services(String), ignored }
        var section = Section.ignored
        var parent: String?
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces.union(.init(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    throw AWSClientError("\(path):\(number + 1): '\(line)' opens a section without closing it; write [profile NAME]")
                }
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                parent = nil
                if isConfig {
                    if name == "default" {
                        section = .profile("default")
                    } else if name.hasPrefix("profile ") {
                        section = .profile(name.dropFirst(8).trimmingCharacters(in: .whitespaces))
                    } else if name.hasPrefix("services ") {
                        section = .services(name.dropFirst(9).trimmingCharacters(in: .whitespaces))
                    } else {
                        section = .ignored
                    }  // sso-session and others Gaffer does not use
                } else {
                    section = .profile(name)
                }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw AWSClientError("\(path):\(number + 1): '\(line)' is not 'key = value'")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            let indented = rawLine.first == " " || rawLine.first == "\t"
            let fullKey: String
            if indented, let parent {
                fullKey = parent + "." + key
            } else {
                parent = value.isEmpty ? key : nil
                fullKey = key
            }
            switch section {
            case .profile(let name): profiles[name, default: [:]][fullKey] = value
            case .services(let name): services[name, default: [:]][fullKey] = value
            case .ignored: continue
            }
        }
    }

    /// A profile's settings, or nil when no file has it.
    public func profile(_ name: String) -> [String: String]? { profiles[name] }
}
