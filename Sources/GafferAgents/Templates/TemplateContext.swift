import Foundation
import GafferCore

/// What a template is given: every parameter as a YAML scalar under `param`, booleans also as
/// `on`/`off` sections, `given` for each parameter present, the tags, and the stack's names.
///
/// Values are YAML already (strings double-quoted and escaped), so templates use triple
/// mustaches: `BucketName: {{{param.bucketName}}}`.
enum TemplateContext {
    static func make(
        task: AwsTask,
        template: String,
        library: TemplateLibrary,
        stackName: String,
        mainStack: String? = nil,
        repository: String?,
        agent: AgentRole,
        changes: [String: String] = [:]
    ) -> [String: Any] {
        var values = library.defaults(of: template)
        for (key, value) in task.parameters { values[key] = value }
        // A change another agent asked for is read by the same rules as the issue's own words.
        if let resource = task.resource {
            for (key, text) in changes {
                if let field = resource.schema.field(named: key), case .success(let value) = field.read(text) { values[field.key] = value }
            }
        }
        var param: [String: String] = [:]
        var on: [String: Bool] = [:]
        var off: [String: Bool] = [:]
        var given: [String: Bool] = [:]
        var choice: [String: [String: Bool]] = [:]
        var prefix: [String: [String: Bool]] = [:]
        for (key, value) in values {
            param[key] = yamlScalar(value)
            given[key] = true
            switch value {
            case .boolean(let flag):
                on[key] = flag
                off[key] = !flag
            case .string(let text):
                // `{{#is.engine.postgres}}`, `{{#is.runtime.python3_12}}`, `{{#prefix.runtime.python}}`.
                choice[key] = [sectionName(text): true]
                prefix[key] = [String(text.prefix(while: \.isLetter)): true]
            case .integer, .number:
                break
            }
        }
        let name = task.resourceName ?? stackName
        let tags = tags(task: task, repository: repository, agent: agent)
        return [
            "param": param, "on": on, "off": off, "given": given, "is": choice, "prefix": prefix,
            "mainStack": mainStack ?? stackName,
            "name": yamlString(name), "stackName": yamlString(stackName), "rawName": name,
            "region": yamlString(task.region ?? "us-east-1"),
            // Flow style on one line, so a template places them at any indentation: `Tags: {{{tagList}}}`.
            "tagList": tagList(tags), "tagMap": "{" + tags.map { "\(yamlString($0.key)): \(yamlString($0.value))" }.joined(separator: ", ") + "}",
            "namedTagList": tagList([("Name", name)] + tags),
            "description": yamlString(
                "Gaffer: \(task.kind.displayName.lowercased()) \(task.resource?.displayName ?? "resources") \(name)"
                    + (task.issue.map { " for issue #\($0)" } ?? "")
            ),
        ]
    }

    /// The issue's tags and Gaffer's own, sorted by key so renders are stable.
    static func tags(task: AwsTask, repository: String?, agent: AgentRole) -> [(key: String, value: String)] {
        var tags = task.tags
        tags["gaffer:managed"] = "true"
        tags["gaffer:agent"] = agent.rawValue
        if let issue = task.issue {
            // AWS tag values take no `#`: the issue is named by its path on GitHub.
            tags["gaffer:issue"] = repository.map { "\($0)/issues/\(issue)" } ?? "issues/\(issue)"
        }
        return tags.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// A value as a Mustache name: anything but letters and digits becomes `_`.
    static func sectionName(_ text: String) -> String {
        String(text.unicodeScalars.map { TemplateContext.isNameCharacter($0) ? Character($0) : "_" })
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
    }

    static func tagList(_ tags: [(key: String, value: String)]) -> String {
        "[" + tags.map { "{Key: \(yamlString($0.key)), Value: \(yamlString($0.value))}" }.joined(separator: ", ") + "]"
    }

    static func yamlScalar(_ value: ParameterValue) -> String {
        switch value {
        case .string(let text): yamlString(text)
        case .integer(let number): String(number)
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .boolean(let flag): flag ? "true" : "false"
        }
    }

    /// A JSON string literal, which YAML reads as a double-quoted scalar with the same escapes.
    static func yamlString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
