import Foundation
import GafferCore
import Mustache

/// A comment template that cannot be read, parsed or found.
public struct MessageTemplateError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Every comment Gaffer writes, rendered from `templates/comments/<name>.md`
/// (Mustache). An operator may point `overrides` at a folder of their own:
/// a template there replaces Gaffer's of the same name.
///
/// Templates use triple mustaches: the values given to them are already made
/// safe for markdown by `MarkdownText`.
public struct CommentTemplates: Sendable {
    private let library: MustacheLibrary
    public let names: Set<String>

    public init(directory: URL, overrides: URL? = nil) throws {
        var library = MustacheLibrary()
        var names = Set<String>()
        for folder in [directory] + (overrides.map { [$0] } ?? []) {
            let files: [String]
            do {
                files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            } catch {
                throw MessageTemplateError("cannot read the comment templates in \(folder.path): \(error.localizedDescription)")
            }
            for file in files.sorted() where file.hasSuffix(".md") && file != "README.md" {
                let name = String(file.dropLast(3))
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                do {
                    try library.register(text, named: name)
                } catch {
                    throw MessageTemplateError("the comment template \(folder.path)/\(file) is not valid Mustache: \(error)")
                }
                names.insert(name)
            }
        }
        self.library = library
        self.names = names
    }

    /// The templates shipped with Gaffer, found from the working directory or beside the executable.
    public static func shipped(overrides: URL? = nil) throws -> CommentTemplates {
        guard let templates = ShippedTemplates.folder(holding: "comments") else {
            throw MessageTemplateError("the comment templates were not found; looked in \(ShippedTemplates.searched)")
        }
        return try CommentTemplates(directory: templates.appendingPathComponent("comments"), overrides: overrides)
    }

    public func render(_ name: String, _ context: [String: Any]) throws -> String {
        guard names.contains(name), let text = library.render(context, withTemplate: name) else {
            throw MessageTemplateError("there is no comment template \(name).md")
        }
        return text
    }
}
