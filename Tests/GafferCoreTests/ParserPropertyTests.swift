import PropertyBased
import Testing

@testable import GafferCore

/// Properties over generated input: any valid task survives the trip through
/// Gaffer's forms, and no input, however hostile, crashes either parser.
struct ParserPropertyTests {
    static let nameAlphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/ #'\"")
    static let tagAlphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.:/=+-@é")

    static func randomString(_ alphabet: [Character], length: ClosedRange<Int>, using rng: inout any SeededRandomNumberGenerator) -> String {
        String((0..<Int.random(in: length, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? "a" })
    }

    static func value(for field: ParameterField, using rng: inout any SeededRandomNumberGenerator) -> ParameterValue {
        switch field.kind {
        case .integer(let range): return .integer(Int.random(in: range, using: &rng))
        case .number(let range):
            return .number((Double.random(in: max(range.lowerBound, -1e6)...min(range.upperBound, 1e6), using: &rng) * 100).rounded() / 100)
        case .boolean: return .boolean(Bool.random(using: &rng))
        case .choice(let options): return .string(options.randomElement(using: &rng) ?? field.example)
        case .text:
            for _ in 0..<20 {
                let candidate = randomString(nameAlphabet, length: 1...24, using: &rng)
                if case .success(let value) = field.read(candidate), value.stringValue == candidate { return value }
            }
            return .string(field.example)
        }
    }

    /// A task a person could ask for with Gaffer's forms: valid by every rule.
    static let tasks = Generator<AwsTask, Shrink.None<AwsTask>>(run: { rng in
        while true {
            let kind = TaskKind.allCases.randomElement(using: &rng) ?? .create
            let kinds = ResourceKind.singleResources + ApplicationKind.allCases.map(ResourceKind.application)
            var resource: ResourceKind? = kinds.randomElement(using: &rng)
            if kind.isReport, Bool.random(using: &rng) || resource?.applicationKind != nil { resource = nil }
            var task = AwsTask(
                kind: kind,
                resource: resource,
                requester: "user\(Int.random(in: 1...99, using: &rng))",
                issue: Int.random(in: 1...500, using: &rng)
            )
            if !kind.isReport || Bool.random(using: &rng) { task.region = AwsRegion.all.randomElement(using: &rng) }
            if Bool.random(using: &rng) { task.account = String((0..<12).map { _ in "0123456789".randomElement(using: &rng) ?? "1" }) }
            task.dependsOn = Array(Set((0..<Int.random(in: 0...3, using: &rng)).map { _ in Int.random(in: 501...9_999, using: &rng) })).sorted()
            if let resource {
                let schema = resource.schema
                for field in schema.fields {
                    let wanted =
                        field.key == schema.identifier
                        ? !kind.isReport || Bool.random(using: &rng)
                        : field.requiredFor.contains(kind) || (!kind.isReport && kind != .delete && Bool.random(using: &rng))
                    if wanted { task.parameters[field.key] = value(for: field, using: &rng) }
                }
                if kind == .create || kind == .update {
                    for _ in 0..<Int.random(in: 0...3, using: &rng) {
                        let key = randomString(tagAlphabet, length: 1...12, using: &rng).trimmingCharacters(in: .whitespaces)
                        let value = randomString(tagAlphabet, length: 0...12, using: &rng).trimmingCharacters(in: .whitespaces)
                        if Tags.keyRule(key) == nil { task.tags[key] = value }
                    }
                }
                guard schema.crossChecks(task.parameters, kind).isEmpty else { continue }
                // An update changes something besides what names the resource (its name, its AWS id).
                let changes = task.parameters.keys.filter { $0 != schema.identifier && !schema.awsIdentifiers.contains($0) }
                if kind == .update, changes.isEmpty, task.tags.isEmpty { continue }
            }
            return task
        }
    })

    @Test func anyValidTaskSurvivesTheFormRoundTrip() async {
        await propertyCheck(count: 400, input: Self.tasks) { task in
            let result = try? GafferFormTests.roundTrip(task)
            #expect(result?.task == task, "\(result?.problems ?? []) \(result?.warnings ?? [])")
        }
    }

    static let hostile: [String] = [
        String(repeating: "#", count: 10_000),
        String(repeating: "### ", count: 10_000),
        String(repeating: "```\n", count: 5_001),
        "```yaml\n" + String(repeating: "key: value\n", count: 5_000),
        String(repeating: ">", count: 20_000) + " /apply",
        String(repeating: "> ", count: 10_000) + "/apply",
        String(repeating: "<!--", count: 10_000),
        String(repeating: "<!-- -->", count: 8_000),
        String(repeating: "- [x] ", count: 10_000),
        String(repeating: "\"", count: 20_000),
        "/apply " + String(repeating: "\"a\" ", count: 10_000),
        "/deny \"" + String(repeating: "unclosed ", count: 5_000),
        String(repeating: "depends on #1, ", count: 4_000),
        "```yaml\ntags:\n" + String(repeating: "  k: v\n", count: 5_000) + "```",
        String(repeating: "\r", count: 30_000),
        String(repeating: "🦆", count: 30_000),
        String(repeating: "a", count: 65_536),
        String(repeating: "/aply\n", count: 5_000),
        "### Settings\n\n```yaml\n" + String(repeating: "  - item\n", count: 5_000),
    ]

    @Test(arguments: hostile.indices)
    func hostileInputGetsAnAnswer(_ index: Int) {
        let body = Self.hostile[index]
        let result = IssueParser().parse(IssueInput(title: String(body.prefix(256)), body: body, labels: ["gaffer"]))
        // An answer either way, and every problem says what to write instead.
        #expect(result.task != nil || !result.problems.isEmpty)
        #expect(result.problems.allSatisfy { !$0.rule.isEmpty && !$0.example.isEmpty })
        // At most one item per line, each pointing at a line of the body; quoted lines give none.
        let lineCount = body.split(separator: "\n", omittingEmptySubsequences: false).count
        let commands = CommandParser().parse(body)
        #expect(commands.count <= lineCount)
        for item in commands {
            switch item {
            case .command(let command): #expect((1...lineCount).contains(command.line))
            case .suggestion(_, _, let line), .problem(_, _, let line): #expect((1...lineCount).contains(line))
            }
        }
        if body.hasPrefix(">") { #expect(commands.isEmpty, "a quote is not read") }
        if body.hasPrefix("/aply\n") { #expect(commands.count == lineCount - 1, "each near miss is answered, once per line") }
        #expect(IssueParser().parse(IssueInput(title: "", body: body)) == IssueParser().parse(IssueInput(title: "", body: body)))
    }

    @Test func randomTextNeverCrashesEitherParser() async {
        // Mostly the characters markdown, YAML and commands give meaning to.
        let alphabet = Array("#`~>-[]xX:/\"' \n\r\t<!->@abcdefgyml0123456789{},|_é🦆")
        let texts = Generator<String, Shrink.None<String>>(run: { rng in Self.randomString(alphabet, length: 0...400, using: &rng) })
        await propertyCheck(count: 1_000, input: texts) { text in
            let result = IssueParser().parse(IssueInput(title: text, body: text, labels: [text]))
            #expect(result.task != nil || !result.problems.isEmpty)
            for item in CommandParser().parse(text) {
                if case .command(let command) = item { #expect(command.line >= 1) }
            }
        }
    }
}
