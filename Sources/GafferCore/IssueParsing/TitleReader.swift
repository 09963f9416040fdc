/// Reads what a plain sentence says: a title such as "Create an S3 bucket named
/// logs-archive in eu-west-1", "Delete lambda resize-images (eu-west-1)", "[gaffer]
/// Health check for account 1234-5678-9012", or a body's first paragraph such as
/// "Could we get a Lambda function named resize-images in eu-west-2?". It only
/// fills what the body's fields and the labels left out.
struct TitleReader {
    private(set) var fields: [RawField] = []
    let source: FieldSource

    init(_ title: String, source: FieldSource = .title) {
        self.source = source
        let words = TitleReader.words(title)
        let lowered = words.map { $0.lowercased() }
        var kindFound = false
        var resourceFound = false
        var nameFound = false
        var index = 0
        while index < words.count {
            let word = lowered[index]
            let pair = index + 1 < words.count ? word + " " + lowered[index + 1] : nil
            if !kindFound, let phrase = [pair, word].compactMap({ $0 }).first(where: { TaskKind(spoken: $0) != nil }) {
                add("kind", phrase)
                kindFound = true
                index += phrase.contains(" ") ? 2 : 1
                continue
            }
            if !resourceFound, let phrase = [pair, word].compactMap({ $0 }).first(where: TitleReader.namesResource) {
                if ApplicationKind(spoken: phrase) != nil {
                    add("application", phrase)
                    add("resource", "application")
                } else {
                    add("resource", phrase)
                }
                resourceFound = true
                index += phrase.contains(" ") ? 2 : 1
                continue
            }
            if !nameFound, ["named", "called", "name"].contains(word), index + 1 < words.count {
                add("name", words[index + 1])
                nameFound = true
                index += 2
                continue
            }
            if AwsRegion.known.contains(word) {
                add("region", word)
            } else if case .success = AwsAccount.check(word), word.count >= 12 {
                add("account", word)
            } else if !nameFound, resourceFound, TitleReader.isQuoted(words[index]) {
                add("name", words[index])
                nameFound = true
            }
            index += 1
        }
        // "Create bucket logs-archive in eu-west-1": the word right after the resource is its name.
        // Not for reports: "Audit S3 buckets ..." names a kind of thing, not one of them.
        let isReport = fields.first { $0.name == "kind" }.flatMap { TaskKind(spoken: $0.value.display) }?.isReport ?? false
        if !nameFound, resourceFound, !isReport, let after = TitleReader.wordAfterResource(words: words, lowered: lowered) {
            add("name", after)
        }
    }

    private mutating func add(_ name: String, _ value: String) {
        fields.append(RawField(name: name, value: .text(TitleReader.unquoted(value)), source: source))
    }

    /// Words split at spaces, with brackets, commas and a final full stop taken off.
    static func words(_ title: String) -> [String] {
        title.split(whereSeparator: { $0.isWhitespace || $0 == "[" || $0 == "]" || $0 == "(" || $0 == ")" || $0 == "," })
            .map { word in
                var trimmed = Substring(word)
                while let last = trimmed.last, ".:;!?".contains(last) { trimmed = trimmed.dropLast() }
                return String(trimmed)
            }
            .filter { !$0.isEmpty }
    }

    static let fillers: Set<String> = ["a", "an", "the", "new", "for", "in", "on", "of", "to", "with", "please", "account", "region", "gaffer"]

    static func wordAfterResource(words: [String], lowered: [String]) -> String? {
        var index = 0
        var seenResource = false
        while index < words.count {
            let pair = index + 1 < words.count ? lowered[index] + " " + lowered[index + 1] : nil
            if !seenResource {
                if let pair, namesResource(pair) {
                    seenResource = true
                    index += 2
                    continue
                }
                if namesResource(lowered[index]) {
                    seenResource = true
                }
                index += 1
                continue
            }
            let word = lowered[index]
            // "the fastapi-ecs application shop": the kind, then the word for what it is, then the name.
            if word == "application" || word == "app" {
                index += 1
                continue
            }
            if fillers.contains(word) || AwsRegion.known.contains(word) { return nil }
            return words[index]
        }
        return nil
    }

    static func namesResource(_ phrase: String) -> Bool {
        ResourceKind(spoken: phrase) != nil || ApplicationKind(spoken: phrase) != nil || phrase == "application" || phrase == "app"
    }

    static func isQuoted(_ word: String) -> Bool {
        word.count >= 2 && ["\"", "'", "`"].contains(where: { word.hasPrefix($0) && word.hasSuffix($0) })
    }

    static func unquoted(_ word: String) -> String {
        isQuoted(word) ? String(word.dropFirst().dropLast()) : word
    }
}
