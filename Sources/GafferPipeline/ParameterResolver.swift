import Foundation

/// Where `env.parameter-store` and `env.secrets-manager` values come from.
/// The AWS clients (SSM Parameter Store, Secrets Manager) implement it; tests and
/// single-machine set-ups use `StaticParameterResolver`.
public protocol ParameterResolver: Sendable {
    func parameter(named name: String) async throws -> String
    func secret(_ reference: SecretReference) async throws -> String
}

/// Parameters and secrets from configuration: name to value, secret id to secret text.
public struct StaticParameterResolver: ParameterResolver {
    public struct Missing: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    public var parameters: [String: String]
    /// Secret id to the secret's text (a JSON object when json keys are used).
    public var secrets: [String: String]

    public init(parameters: [String: String] = [:], secrets: [String: String] = [:]) {
        self.parameters = parameters
        self.secrets = secrets
    }

    public func parameter(named name: String) async throws -> String {
        guard let value = parameters[name] else { throw Missing(description: "no parameter named \(name)") }
        return value
    }

    public func secret(_ reference: SecretReference) async throws -> String {
        guard let text = secrets[reference.secretID] else { throw Missing(description: "no secret \(reference.secretID)") }
        return try reference.value(in: text)
    }
}

extension SecretReference {
    /// The part of a secret's text the reference names: all of it, or one key of its JSON.
    public func value(in text: String) throws -> String {
        guard !jsonKey.isEmpty else { return text }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], let value = object[jsonKey] else {
            throw StaticParameterResolver.Missing(description: "the secret \(secretID) has no JSON key \(jsonKey)")
        }
        return value as? String ?? "\(value)"
    }
}

/// Asks `first`, and `then` for what `first` does not have: values given on the command line
/// win over the ones in AWS.
public struct FallbackParameterResolver: ParameterResolver {
    let first: StaticParameterResolver
    let then: any ParameterResolver

    public init(first: StaticParameterResolver, then: any ParameterResolver) {
        self.first = first
        self.then = then
    }

    public func parameter(named name: String) async throws -> String {
        first.parameters[name] != nil ? try await first.parameter(named: name) : try await then.parameter(named: name)
    }

    public func secret(_ reference: SecretReference) async throws -> String {
        first.secrets[reference.secretID] != nil ? try await first.secret(reference) : try await then.secret(reference)
    }
}
