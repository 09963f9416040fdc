import GafferAWS
import GafferPipeline

/// `env.parameter-store` from SSM Parameter Store (decrypted) and `env.secrets-manager`
/// from Secrets Manager, as CodeBuild resolves them. It lives with the wiring so the
/// pipeline need not know AWS: `ParameterResolver` is the seam.
public struct AWSParameterResolver: ParameterResolver {
    let ssm: SSM
    let secretsManager: SecretsManager

    public init(client: AWSClient) {
        ssm = SSM(client)
        secretsManager = SecretsManager(client)
    }

    public func parameter(named name: String) async throws -> String {
        let found = try await ssm.getParameters([name])
        guard let parameter = found.parameters.first(where: { $0.name == name }) ?? found.parameters.first else {
            throw StaticParameterResolver.Missing(
                description: "SSM has no parameter named \(name) in \(ssm.client.region); create it or fix env.parameter-store"
            )
        }
        return parameter.value
    }

    public func secret(_ reference: SecretReference) async throws -> String {
        let secret = try await secretsManager.getSecretValue(
            reference.secretID,
            versionStage: reference.versionStage.isEmpty ? nil : reference.versionStage,
            versionID: reference.versionID
        )
        guard let text = secret.secretString else {
            throw StaticParameterResolver.Missing(
                description: "the secret \(reference.secretID) holds binary data; env.secrets-manager needs a text secret"
            )
        }
        return try reference.value(in: text)
    }
}
