/// Changes to a task asked for on its pull request, kept in a block at the end of the task's issue. The issue stays
/// the one source of the task: anyone reading it sees what was changed, GitHub keeps the edit's history, and
/// deleting a line of the block undoes that change. The block's values win over the rest of the issue.
public enum FollowUpBlock {
    static let start = "<!-- gaffer:follow-ups -->"
    static let end = "<!-- /gaffer:follow-ups -->"

    /// The body without the block, and the block's `key: value` lines (those inside its code fence).
    static func split(_ body: String) -> (rest: String, lines: [Substring]) {
        guard let open = body.range(of: start) else { return (body, []) }
        let close = body.range(of: end, range: open.upperBound..<body.endIndex)
        let inside = body[open.upperBound..<(close?.lowerBound ?? body.endIndex)]
        var lines: [Substring] = []
        var fenced = false
        for line in inside.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingWhitespace()
            if trimmed.hasPrefix("```") {
                fenced.toggle()
            } else if fenced {
                lines.append(line)
            }
        }
        let rest = String(body[..<open.lowerBound]) + (close.map { String(body[$0.upperBound...]) } ?? "")
        return (rest, lines)
    }

    /// The changes the block holds, in its order.
    public static func changes(in body: String) -> [(key: String, value: String)] {
        KeyValueReader(split(body).lines, strict: true).entries.compactMap { entry in
            if case .text(let value) = entry.value { (entry.key, value) } else { nil }
        }
    }

    /// The body with `changes` in its block: a key already there takes the new value in place, a new key is added
    /// at the end, and the block goes at the end of the body.
    public static func applying(_ changes: [(key: String, value: String)], to body: String) -> String {
        var merged = Self.changes(in: body)
        for change in changes {
            if let index = merged.firstIndex(where: { FieldName.normalize($0.key) == FieldName.normalize(change.key) }) {
                merged[index].value = change.value
            } else {
                merged.append(change)
            }
        }
        var rest = split(body).rest
        while rest.hasSuffix("\n") { rest.removeLast() }
        let lines = merged.map { "\($0.key): \(KeyValueReader.quoted($0.value))" }.joined(separator: "\n")
        return rest + "\n\n" + start + "\n"
            + "**Changes asked for on the pull request.** Gaffer keeps this block; its values win over the fields above. "
            + "Delete a line to undo that change.\n\n```yaml\n" + lines + "\n```\n" + end + "\n"
    }

    /// The keys a follow-up may not change, because they say what the task is rather than how: its kind, resource,
    /// name (by any resource's own word for it, such as `bucketName`), region, account or dependencies: a change of
    /// those is another task, asked for by editing the issue.
    public static func identityKeys(among keys: [String]) -> [String] {
        let identifiers = Set(
            (ResourceKind.singleResources + ApplicationKind.allCases.map(ResourceKind.application)).map { FieldName.normalize($0.schema.identifier) }
        )
        return keys.filter { key in
            let canonical = FieldCollector.canonicalKey(FieldName.normalize(key))
            return (FieldCollector.isGeneralField(canonical) && canonical != "tags") || identifiers.contains(FieldName.normalize(key))
        }
    }

    /// The `key: value` lines of free text whose key is a field Gaffer knows, as a person writes them in a comment.
    public static func fields(inComment text: String) -> [(key: String, value: String)] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return KeyValueReader(lines, strict: false).entries.compactMap { entry in
            guard IssueParser.isKnownField(FieldName.normalize(entry.key)), case .text(let value) = entry.value else { return nil }
            return (entry.key, value)
        }
    }
}
