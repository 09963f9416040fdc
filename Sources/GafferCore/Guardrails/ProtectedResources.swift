import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What Gaffer must never change or delete (`protected_resources`): a plan that touches one is
/// refused, naming the rule. Each rule is one of
/// - a stack name, `*` and `?` allowed: `prod-*`;
/// - an ARN, the same: `arn:aws:s3:::payroll-*`, matched against each resource a plan changes;
/// - `tag:KEY=VALUE` (or `tag:KEY`), VALUE a pattern too: a stack with that tag.
public struct ProtectedResources: Sendable, Hashable {
    public enum Rule: Sendable, Hashable, CustomStringConvertible {
        case stack(String)
        case arn(String)
        case tag(key: String, value: String?)

        public var description: String {
            switch self {
            case .stack(let pattern): pattern
            case .arn(let pattern): pattern
            case .tag(let key, let value): "tag:\(key)" + (value.map { "=\($0)" } ?? "")
            }
        }
    }

    public var rules: [Rule] = []

    public init(rules: [Rule] = []) {
        self.rules = rules
    }

    /// Reads one rule as written in the configuration, or says what is wrong with it.
    public static func rule(_ text: String) -> Result<Rule, ProtectedRuleError> {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return .failure(ProtectedRuleError(text: text, problem: "it is empty")) }
        if text.hasPrefix("tag:") {
            let body = text.dropFirst(4)
            let parts = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let key = parts.first, !key.isEmpty else {
                return .failure(ProtectedRuleError(text: text, problem: "a tag rule is tag:KEY or tag:KEY=VALUE, such as tag:environment=prod"))
            }
            return .success(.tag(key: key, value: parts.count == 2 ? parts[1] : nil))
        }
        if text.hasPrefix("arn:") { return .success(.arn(text)) }
        return .success(.stack(text))
    }

    /// The first rule that protects something: a stack named `stack` carrying `tags`, or one of the
    /// resources it changes (`arns`).
    public func rule(protecting stack: String, tags: [String: String], arns: [String]) -> Rule? {
        rules.first { rule in
            switch rule {
            case .stack(let pattern): Self.matches(pattern, stack)
            case .arn(let pattern): arns.contains { Self.matches(pattern, $0) }
            case .tag(let key, let value): tags[key].map { actual in value.map { Self.matches($0, actual) } ?? true } ?? false
            }
        }
    }

    /// Shell-style matching, `*` and `?`, with no special meaning for `/`: an ARN's path is just text.
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        fnmatch(pattern, text, 0) == 0
    }
}

public struct ProtectedRuleError: Error, Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var problem: String
    public var description: String { "'\(text)': \(problem)" }
}
