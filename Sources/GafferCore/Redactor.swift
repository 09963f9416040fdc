import Foundation

/// Takes secrets out of text before Gaffer writes it anywhere a person or a log reads: AWS access
/// keys and secret keys, GitHub tokens, private keys, and the operator's own patterns
/// (`redact_patterns`). Each is replaced by `[REDACTED <kind>]`, so a reader still sees that
/// something was there.
public struct Redactor: Sendable {
    struct Pattern: @unchecked Sendable {
        // Regex is not Sendable; these are built once and only ever read, never mutated.
        let kind: String
        let regex: Regex<AnyRegexOutput>
        /// Words one of which every match contains (compared without case): text without any of them is not
        /// searched, which keeps a long page or log free of regular-expression work. Empty: always searched.
        var hints: [String] = []
    }

    private let patterns: [Pattern]

    /// What Gaffer always removes.
    static let builtIn: [(kind: String, pattern: String, hints: [String])] = [
        ("private key", #"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----"#, ["PRIVATE KEY-----"]),
        ("AWS access key", #"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"#, ["AKIA", "ASIA", "ABIA", "ACCA"]),
        // A secret key is 40 characters of base64; alone it looks like any hash, so it is taken where it is named.
        (
            "AWS secret key",
            #"(?i)(aws_secret_access_key|secretaccesskey|aws secret key|secret_key)(["'\s:=]+)[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])"#,
            ["secret"]
        ),
        (
            "GitHub token", #"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b"#,
            ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"]
        ),
        // Anthropic's (sk-ant-…) and OpenAI's (sk-…, sk-proj-…) API keys.
        ("model API key", #"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}"#, ["sk-"]),
    ]

    /// The built-in patterns and `extra` (regular expressions); throws for one that is not a regular expression.
    public init(extra: [String] = []) throws {
        var patterns: [Pattern] = []
        for (kind, pattern, hints) in Self.builtIn { patterns.append(Pattern(kind: kind, regex: try Regex(pattern), hints: hints)) }
        for pattern in extra { patterns.append(Pattern(kind: "by redact_patterns", regex: try Regex(pattern))) }
        self.patterns = patterns
    }

    private init(patterns: [Pattern]) {
        self.patterns = patterns
    }

    /// Removes nothing: for a client that writes as a person (a test's, the demo's), not as Gaffer.
    public static let off = Redactor(patterns: [])

    /// The built-in patterns only; they are known to compile.
    public static let standard: Redactor = {
        do {
            return try Redactor()
        } catch {
            preconditionFailure("a built-in redaction pattern does not compile: \(error)")
        }
    }()

    /// Every string of a JSON document redacted, keys too: in the JSON text an escape (`\n`) could
    /// hide a secret's edge. Data that is not JSON is redacted as text; a document with nothing to
    /// take out is returned as it was.
    public func redactJSON(_ data: Data) -> Data {
        guard let document = try? JSONValue.decode(data) else { return Data(redact(String(decoding: data, as: UTF8.self)).utf8) }
        let redacted = redact(document)
        guard redacted != document, let encoded = try? redacted.encoded() else { return data }
        return encoded
    }

    private func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): .string(redact(text))
        case .array(let items): .array(items.map(redact))
        case .object(let fields): .object(Dictionary(fields.map { (redact($0.key), redact($0.value)) }, uniquingKeysWith: { first, _ in first }))
        case .null, .bool, .number: value
        }
    }

    public func redact(_ text: String) -> String {
        var text = text
        for pattern in patterns {
            if !pattern.hints.isEmpty, !pattern.hints.contains(where: { text.range(of: $0, options: .caseInsensitive) != nil }) { continue }
            text = text.replacing(pattern.regex) { match in
                // What a pattern captures is kept: the secret key's pattern keeps the words that named it.
                let kept = (1..<match.output.count).compactMap { match.output[$0].substring.map(String.init) }.joined()
                return kept + "[REDACTED \(pattern.kind)]"
            }
        }
        return text
    }
}
