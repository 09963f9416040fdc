import Foundation
import GafferCore
import GafferTestSupport
import Testing
import Yams

/// Issue bodies and forms written by others (`../shared/conformance`), read by
/// Gaffer's form reader and compared with what other parsers make of them.
/// Gaffer's reader gives each section's label, its answer as written, the answer
/// with "_No response_" read as empty, and the checkbox items; each other parser
/// then shapes that its own way (keys by form id or by a slug of the label,
/// lists for dropdowns, and so on). Those conventions are re-created below,
/// per parser, so that the comparison is of what was read, not of naming.
struct IssueFormConformanceTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var body: String
        var form: String
        var expected: [String]
        var testDescription: String { body }
    }

    static func rows() throws -> [Row] {
        let index = try String(contentsOf: Conformance.directory().appendingPathComponent("issue-form-bodies/INDEX.tsv"), encoding: .utf8)
        return index.split(separator: "\n").dropFirst().compactMap { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count >= 3, columns[0].hasSuffix(".md"), !columns[2].isEmpty else { return nil }
            return Row(body: columns[0], form: columns[1], expected: columns[2].split(separator: " ").map(String.init))
        }
    }

    /// A fixture whose expected parse does not match its own body ("Hold my Potatos" for
    /// "Hold my potatos", "20XX" for "202XX", the two "Related" values swapped); it was
    /// deleted upstream for that reason. Gaffer also does not split answers into inner values.
    static let knownWrong: Set<String> = ["stefanbuck__github-issue-parser/history__inner_values/issue-body.md"]

    @Test func everyBodyWithAnExpectedParseReadsTheSame() throws {
        let root = try Conformance.directory().appendingPathComponent("issue-form-bodies")
        let rows = try Self.rows()
        #expect(rows.count >= 15, "INDEX.tsv lists the bodies with expected parses")
        var compared = 0
        for row in rows where !Self.knownWrong.contains(row.body) {
            let body = try String(contentsOf: root.appendingPathComponent(row.body), encoding: .utf8)
            let sections = IssueFormBody(body).sections
            let form = row.form.isEmpty ? nil : try FormElements(url: root.appendingPathComponent(row.form))
            // parsed-template.json is issue-ops's reading of the template itself, not of the body.
            for expectedFile in row.expected where !expectedFile.hasSuffix("parsed-template.json") {
                let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent(expectedFile))) as? NSDictionary
                let actual: [String: Any]
                if row.body.hasPrefix("stefanbuck") {
                    actual = StefanbuckConvention.shape(sections, form: form)
                } else if expectedFile.hasSuffix("no-template.json") {
                    actual = IssueOpsConvention.shapeWithoutTemplate(sections)
                } else if row.form.isEmpty {
                    actual = IssueOpsConvention.shapeOldLayout(sections)
                } else {
                    actual = IssueOpsConvention.shape(sections, form: form)
                }
                #expect(NSDictionary(dictionary: actual) == expected, "\(expectedFile): got \(actual)")
                compared += 1
            }
        }
        #expect(compared >= 18)
    }

    /// The edumserrano fixtures come without an expected parse; each answer must still
    /// land under its form's label, out-of-order headings included.
    @Test func edumserranoBodiesHaveEveryLabelOfTheirForm() throws {
        let root = try Conformance.directory().appendingPathComponent("issue-form-bodies/edumserrano__github-issue-forms-parser")
        for (bodyFile, formFile) in [
            ("IssueBody.md", "Template.yml"), ("IssueBody2.md", "Template2.yml"), ("IssueBodyWithOutOfOrderH3Headers.md", "Template.yml"),
        ] {
            let sections = IssueFormBody(try String(contentsOf: root.appendingPathComponent(bodyFile), encoding: .utf8)).sections
            let form = try FormElements(url: root.appendingPathComponent(formFile))
            let labels = Set(sections.map(\.label))
            for element in form.elements where element.type != "markdown" {
                #expect(labels.contains(element.label), "\(bodyFile): no section for \(element.label)")
            }
        }
    }

    @Test func everyRealFormLoadsAndItsBodyReadsBack() throws {
        let folder = try Conformance.directory().appendingPathComponent("issue-forms")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count >= 19)
        for file in files {
            let form = try YAMLDecoder().decode(IssueForm.self, from: String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8))
            var answers: [String: IssueForm.Answer] = [:]
            for element in form.body {
                guard let id = element.id else { continue }
                switch element.type {
                case "dropdown", "checkboxes": answers[id] = .chosen(Array((element.attributes.options ?? []).prefix(1).map(\.label)))
                default: answers[id] = .text("answer for \(id)\nsecond line")
                }
            }
            let sections = IssueFormBody(form.body(answers: answers)).sections
            let asked = form.body.filter { $0.type != "markdown" }
            #expect(sections.count == asked.count, "\(file): \(sections.count) sections for \(asked.count) fields")
            for (element, section) in zip(asked, sections) {
                #expect(section.label == (element.attributes.label ?? "").trimmingCharacters(in: .whitespaces), "\(file)")
                switch (element.type, element.id.flatMap { answers[$0] }) {
                case ("checkboxes", .chosen(let ticked)?):
                    #expect(section.checkboxes?.filter(\.checked).map(\.label) == ticked, "\(file): \(element.attributes.label ?? "")")
                case ("dropdown", .chosen(let chosen)?):
                    #expect(section.text == chosen.joined(separator: ", "), "\(file)")
                case (_, .text(let text)?):
                    #expect(section.text == text, "\(file): \(section.rawText)")
                default:
                    #expect(section.text.isEmpty || element.type == "checkboxes", "\(file): unanswered \(element.attributes.label ?? "")")
                }
            }
        }
    }
}

/// The elements of a form fixture, read loosely: some fixtures are partial forms without a name.
struct FormElements {
    struct Element {
        var type: String
        var id: String?
        var label: String
    }

    var elements: [Element]

    init(url: URL) throws {
        let yaml = try Yams.load(yaml: String(contentsOf: url, encoding: .utf8)) as? [String: Any]
        let body = yaml?["body"] as? [[String: Any]] ?? []
        elements = body.map { item in
            let attributes = item["attributes"] as? [String: Any]
            return Element(
                type: item["type"] as? String ?? "",
                id: item["id"] as? String,
                label: (attributes?["label"] as? String ?? "").trimmingCharacters(in: .whitespaces)
            )
        }
    }

    func element(labelled label: String) -> Element? { elements.first { $0.label == label } }
}

/// Both other parsers name a field without an id by its label: lowercased, runs of other characters as "_".
func slug(_ label: String) -> String {
    var result = ""
    var pendingUnderscore = false
    for character in label.lowercased() {
        if character.isLetter || character.isNumber {
            if pendingUnderscore, !result.isEmpty { result.append("_") }
            result.append(character)
            pendingUnderscore = false
        } else {
            pendingUnderscore = true
        }
    }
    return result
}

/// stefanbuck/github-issue-parser: the form's id (else the slug); checkboxes as the ticked labels.
enum StefanbuckConvention {
    static func shape(_ sections: [IssueFormBody.Section], form: FormElements?) -> [String: Any] {
        var result: [String: Any] = [:]
        for section in sections {
            let element = form?.element(labelled: section.label)
            let key = element?.id ?? slug(section.label)
            if element?.type == "checkboxes" || (element == nil && section.checkboxes != nil) {
                result[key] = (section.checkboxes ?? []).filter(\.checked).map(\.label)
            } else {
                result[key] = section.rawText
            }
        }
        return result
    }
}

/// issue-ops/parser: with a template, ids (else slugs), dropdowns as lists, checkboxes as
/// selected/unselected, empty answers left out; without one, slugs and the text as written.
enum IssueOpsConvention {
    static func shape(_ sections: [IssueFormBody.Section], form: FormElements?) -> [String: Any] {
        var result: [String: Any] = [:]
        for section in sections {
            guard let element = form?.element(labelled: section.label) else { continue }
            let key = element.id ?? slug(section.label)
            switch element.type {
            case "dropdown":
                result[key] = section.text.isEmpty ? [] : section.text.components(separatedBy: ", ")
            case "checkboxes":
                let boxes = section.checkboxes ?? []
                result[key] = ["selected": boxes.filter(\.checked).map(\.label), "unselected": boxes.filter { !$0.checked }.map(\.label)]
            default:
                if !section.text.isEmpty { result[key] = section.text }
            }
        }
        return result
    }

    static func shapeWithoutTemplate(_ sections: [IssueFormBody.Section]) -> [String: Any] {
        Dictionary(sections.map { (slug($0.label), $0.rawText as Any) }, uniquingKeysWith: { first, _ in first })
    }

    /// The old layout guessed types from the text: a one-line comma list is a list,
    /// checkboxes are selected/unselected, "_No response_" is null.
    static func shapeOldLayout(_ sections: [IssueFormBody.Section]) -> [String: Any] {
        var result: [String: Any] = [:]
        for section in sections {
            let key = slug(section.label)
            if let boxes = section.checkboxes {
                result[key] = ["selected": boxes.filter(\.checked).map(\.label), "unselected": boxes.filter { !$0.checked }.map(\.label)]
            } else if section.text.isEmpty {
                result[key] = NSNull()
            } else if !section.text.contains("\n"), section.text.contains(", ") {
                result[key] = section.text.components(separatedBy: ", ")
            } else {
                result[key] = section.text
            }
        }
        return result
    }
}
