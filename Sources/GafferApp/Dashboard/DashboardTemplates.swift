import Foundation
import GafferCore
import GafferMessages
import Mustache

/// The dashboard's pages, `templates/dashboard/<name>.html` (Mustache, escaped for HTML), with its
/// stylesheet and script. Values reach the pages as text and are escaped there; only the SVG Gaffer
/// draws itself goes in unescaped.
public struct DashboardTemplates: Sendable {
    private let library: MustacheLibrary
    /// The pages (names without `.html`), and the stylesheet and script by file name.
    public let pages: Set<String>
    let assets: [String: Data]

    /// Every page the routes render: the folder must have them all, checked at start-up.
    static let required: Set<String> = [
        "head", "foot", "pager", "overview", "pause", "decisions", "tasks", "task", "agents", "resources", "knowledge", "costs", "settings",
        "signin", "forbidden",
    ]

    public init(directory: URL) throws {
        var library = MustacheLibrary()
        var pages = Set<String>()
        var assets: [String: Data] = [:]
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MessageTemplateError("cannot read the dashboard templates in \(directory.path): \(error.localizedDescription)")
        }
        for file in files.sorted() {
            let url = directory.appendingPathComponent(file)
            if file.hasSuffix(".html") {
                let name = String(file.dropLast(5))
                do {
                    try library.register(try String(contentsOf: url, encoding: .utf8), named: name)
                } catch {
                    throw MessageTemplateError("the dashboard template \(url.path) is not valid Mustache: \(error)")
                }
                pages.insert(name)
            } else if file.hasSuffix(".css") || file.hasSuffix(".js") {
                assets[file] = try Data(contentsOf: url)
            }
        }
        let missing = Self.required.subtracting(pages)
        guard missing.isEmpty else {
            throw MessageTemplateError(
                "the dashboard templates in \(directory.path) lack \(missing.sorted().map { "\($0).html" }.joined(separator: ", "))"
            )
        }
        self.library = library
        self.pages = pages
        self.assets = assets
    }

    public static func shipped() throws -> DashboardTemplates {
        guard let templates = ShippedTemplates.folder(holding: "dashboard") else {
            throw MessageTemplateError("the dashboard templates were not found; looked in \(ShippedTemplates.searched)")
        }
        return try DashboardTemplates(directory: templates.appendingPathComponent("dashboard"))
    }

    public func render(_ name: String, _ context: [String: Any]) throws -> String {
        guard pages.contains(name), let text = library.render(Self.withPresence(context), withTemplate: name) else {
            throw MessageTemplateError("there is no dashboard template \(name).html")
        }
        return text
    }

    /// Adds `has_<key>` beside every list, so a template can show a table's head only when it has rows, and
    /// leaves out absent values (an optional that is nil would otherwise print as "nil").
    static func withPresence(_ value: Any) -> Any {
        if let dictionary = value as? [String: Any] {
            var result: [String: Any] = [:]
            for (key, item) in dictionary {
                let mirror = Mirror(reflecting: item)
                if mirror.displayStyle == .optional, mirror.children.isEmpty { continue }
                result[key] = withPresence(item)
                if let list = item as? [Any] { result["has_\(key)"] = !list.isEmpty }
            }
            return result
        }
        if let list = value as? [Any] { return list.map(withPresence) }
        return value
    }
}
