import Foundation
import GafferCore
import Mustache
import Yams

/// The agents' Mustache templates, read once from Gaffer's `templates/` folder:
/// `cloudformation/<resource>.yaml`, `monitoring/<resource>.yaml`, `pipeline/*`, `agents/*`,
/// `apps/<kind>/**` (each `ApplicationKind`'s blueprint, checked complete here) and `cost/prices.json`.
/// Partials (`_tags.yaml`) are shared by every template of a folder.
///
/// A template may open with a Mustache comment holding YAML `defaults:` for the parameters it
/// reads; they apply when the task does not give the parameter, so a template's defaults are
/// beside the properties they fill.
public struct TemplateLibrary: Sendable {
    public let directory: URL
    private let library: MustacheLibrary
    private let defaults: [String: [String: ParameterValue]]
    public let names: Set<String>
    private let blueprintFiles: [ApplicationKind: [String]]

    public init(directory: URL) throws {
        self.directory = directory
        var library = MustacheLibrary()
        var defaults: [String: [String: ParameterValue]] = [:]
        var names = Set<String>()
        for folder in ["cloudformation", "monitoring", "pipeline", "agents"] {
            let path = directory.appendingPathComponent(folder)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: path.path)) ?? []
            for file in files.sorted() where file != "README.md" && !file.hasPrefix(".") {
                let text: String
                do {
                    text = try String(contentsOf: path.appendingPathComponent(file), encoding: .utf8)
                } catch {
                    throw AgentError("cannot read the template \(folder)/\(file): \(error.localizedDescription)")
                }
                let stem = (file as NSString).deletingPathExtension
                // Partials are named without their folder so templates write `{{> _tags}}`.
                let name = stem.hasPrefix("_") ? stem : "\(folder)/\(stem)"
                do {
                    try library.register(text, named: name)
                } catch {
                    throw AgentError("the template \(folder)/\(file) is not valid Mustache: \(error)")
                }
                defaults[name] = try Self.declaredDefaults(text, file: "\(folder)/\(file)")
                names.insert(name)
            }
        }
        var blueprintFiles: [ApplicationKind: [String]] = [:]
        for kind in ApplicationKind.allCases {
            let folder = directory.appendingPathComponent("apps/\(kind.rawValue)")
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("README.md").path) else {
                throw AgentError("the blueprint \(kind.rawValue) has no folder with a README: add templates/apps/\(kind.rawValue)/README.md")
            }
            var files: [String] = []
            for relative in Self.files(under: folder) where relative != "README.md" {
                let name = "apps/\(kind.rawValue)/\(relative)"
                let text: String
                do {
                    text = try String(contentsOf: folder.appendingPathComponent(relative), encoding: .utf8)
                    try library.register(text, named: name)
                } catch {
                    throw AgentError("the blueprint file \(name) cannot be read as a Mustache template: \(error)")
                }
                names.insert(name)
                if relative.hasPrefix("code/") { files.append(String(relative.dropFirst("code/".count))) }
            }
            blueprintFiles[kind] = files
        }
        for kind in ApplicationKind.allCases {
            for file in ["template.yaml", "monitoring.yaml"] where Self.blueprintTemplate(file, of: kind, in: names) == nil {
                throw AgentError("the blueprint \(kind.rawValue) has no \(file): add templates/apps/\(kind.rawValue)/\(file)")
            }
        }
        self.library = library
        self.defaults = defaults
        self.names = names
        self.blueprintFiles = blueprintFiles
    }

    /// The files of a folder and its subfolders, relative to it, sorted; hidden ones are skipped
    /// but for `.gitignore` and `.dockerignore`, which a blueprint writes.
    public static func files(under folder: URL) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            var isFolder: ObjCBool = false
            let hidden = relative.split(separator: "/").contains { $0.hasPrefix(".") && $0 != ".dockerignore" && $0 != ".gitignore" }
            if !hidden, FileManager.default.fileExists(atPath: folder.appendingPathComponent(relative).path, isDirectory: &isFolder),
                !isFolder.boolValue
            {
                files.append(relative)
            }
        }
        return files.sorted()
    }

    /// The code files of a blueprint and of the one it builds on, relative to the application's
    /// folder, each with the template it is rendered from; a file of its own wins over its base's.
    public func codeFiles(of kind: ApplicationKind) -> [(path: String, template: String)] {
        var files: [String: String] = [:]
        for layer in [kind.base, kind].compactMap({ $0 }) {
            for path in blueprintFiles[layer] ?? [] { files[path] = "apps/\(layer.rawValue)/code/\(path)" }
        }
        return files.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The template of a blueprint's own file (`template.yaml`), or its base's.
    public func blueprintTemplate(_ file: String, of kind: ApplicationKind) -> String? {
        Self.blueprintTemplate(file, of: kind, in: names)
    }

    private static func blueprintTemplate(_ file: String, of kind: ApplicationKind, in names: Set<String>) -> String? {
        [kind, kind.base].compactMap { $0 }.map { "apps/\($0.rawValue)/\(file)" }.first(where: names.contains)
    }

    /// The templates shipped with Gaffer (`ShippedTemplates`).
    public static func shipped() throws -> TemplateLibrary {
        try TemplateLibrary(directory: shippedDirectory())
    }

    public static func shippedDirectory() throws -> URL {
        guard let folder = ShippedTemplates.folder(holding: "cloudformation") else {
            throw AgentError("the agents' templates were not found; looked in \(ShippedTemplates.searched)")
        }
        return folder
    }

    public func has(_ name: String) -> Bool { names.contains(name) }

    /// The defaults a template declares.
    public func defaults(of name: String) -> [String: ParameterValue] { defaults[name] ?? [:] }

    public func render(_ name: String, _ context: [String: Any]) throws -> String {
        guard names.contains(name), let text = library.render(context, withTemplate: name) else {
            throw AgentError("there is no template \(name) in \(directory.path)")
        }
        return text
    }

    public func data(_ relativePath: String) throws -> Data {
        let url = directory.appendingPathComponent(relativePath)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw AgentError("cannot read \(url.path)")
        }
        return data
    }

    /// `{{! defaults: {memorySize: 128} }}` at the top of a template.
    static func declaredDefaults(_ text: String, file: String) throws -> [String: ParameterValue] {
        guard text.hasPrefix("{{!"), let end = text.range(of: "}}") else { return [:] }
        let comment = String(text[text.index(text.startIndex, offsetBy: 3)..<end.lowerBound])
        guard comment.contains("defaults:") else { return [:] }
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: comment)
        } catch {
            throw AgentError("the defaults comment of \(file) is not YAML: \(error)")
        }
        guard let root = loaded as? [String: Any], let values = root["defaults"] as? [String: Any] else { return [:] }
        return values.mapValues { value in
            switch value {
            case let bool as Bool: .boolean(bool)
            case let int as Int: .integer(int)
            case let double as Double: .number(double)
            default: .string(String(describing: value))
            }
        }
    }
}

/// A failure of an agent or of its templates, said so a person can act on it.
public struct AgentError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
