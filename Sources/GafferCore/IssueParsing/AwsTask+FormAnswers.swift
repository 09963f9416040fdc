extension AwsTask {
    /// The answers that fill Gaffer's issue forms with this task, keyed by
    /// element id. With `IssueForm.body(answers:)` it writes the issue a person
    /// would have written; the round-trip test reads that back with `IssueParser`.
    public func formAnswers() -> [String: IssueForm.Answer] {
        var answers: [String: IssueForm.Answer] = ["task": .chosen([kind.displayName])]
        if let resource {
            // The deploy form asks for the application kind; the delete form lists "Application (kind)" as a resource.
            answers["resource"] = .chosen([resource.displayName])
            if let application = resource.applicationKind { answers["application"] = .chosen([application.rawValue]) }
            let schema = resource.schema
            if let name = parameters[schema.identifier] { answers["name"] = .text(name.description) }
            let settings = schema.fields.compactMap { field -> String? in
                guard field.key != schema.identifier, field.key != "entities", let value = parameters[field.key] else { return nil }
                return "\(field.key): \(KeyValueReader.quoted(value.description))"
            }
            if let entities = parameters["entities"] { answers["entities"] = .text(entities.description) }
            if !settings.isEmpty { answers["settings"] = .text(settings.joined(separator: "\n")) }
        } else {
            answers["resource"] = .chosen(["All resources"])
        }
        if let region { answers["region"] = .chosen([region]) }
        if let account { answers["account"] = .text(account) }
        if !tags.isEmpty {
            answers["tags"] = .text(
                tags.sorted { $0.key < $1.key }
                    .map { "\(KeyValueReader.quoted($0.key)): \(KeyValueReader.quoted($0.value))" }.joined(separator: "\n")
            )
        }
        if !dependsOn.isEmpty { answers["dependsOn"] = .text(dependsOn.map { "#\($0)" }.joined(separator: ", ")) }
        answers["confirm"] = .chosen(["I understand that this deletes the resource and its data once approved"])
        return answers
    }
}
