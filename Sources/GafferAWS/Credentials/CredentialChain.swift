import Foundation
import GafferCore

/// Picks where credentials come from, in the SDKs' order: Gaffer's configuration, the
/// environment, the shared files' profile, web identity, the ECS container endpoint, EC2
/// instance metadata. The first source that is configured is used and its failures are
/// reported (not skipped), so a broken profile never silently becomes the instance's role.
public struct CredentialChain: Sendable {
    let settings: ResolvedAWSSettings
    let transport: any AWSTransport
    let clock: any WallClock
    let waiter: any RetryWaiter

    public init(
        settings: ResolvedAWSSettings,
        transport: any AWSTransport,
        clock: any WallClock = SystemWallClock(),
        waiter: any RetryWaiter = TaskSleepWaiter()
    ) {
        self.settings = settings
        self.transport = transport
        self.clock = clock
        self.waiter = waiter
    }

    var environment: AWSEnvironment { settings.environment }

    /// The provider to use, cached and refreshed before expiry.
    public func provider() throws(AWSClientError) -> any AWSCredentialProvider {
        if let explicit = settings.settings.credentials {
            return StaticCredentialProvider(explicit, source: "Gaffer's configuration (aws_access_key_id)")
        }
        if let environmentKeys = environmentProvider() { return environmentKeys }
        if let profile = settings.profile, Self.hasCredentials(profile) {
            var visited: Set<String> = []
            return try profileProvider(settings.profileName, visited: &visited)
        }
        if let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"] {
            guard let roleARN = environment["AWS_ROLE_ARN"] else {
                throw AWSClientError("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not; set the role to assume")
            }
            return cached(
                WebIdentityCredentialProvider(
                    client: stsClient(NoCredentialProvider()),
                    tokenFile: tokenFile,
                    roleARN: roleARN,
                    sessionName: environment["AWS_ROLE_SESSION_NAME"],
                    via: "AWS_WEB_IDENTITY_TOKEN_FILE"
                )
            )
        }
        if let container = try ContainerCredentialProvider(environment: environment, transport: transport) { return cached(container) }
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            throw AWSClientError(
                "no AWS credentials: none in Gaffer's configuration, the environment (AWS_ACCESS_KEY_ID), profile '\(settings.profileName)' of the shared files, "
                    + "web identity or the container endpoint, and instance metadata is disabled (AWS_EC2_METADATA_DISABLED); "
                    + "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE"
            )
        }
        return cached(InstanceMetadataCredentialProvider(environment: environment, transport: transport))
    }

    private func environmentProvider() -> (any AWSCredentialProvider)? {
        guard let key = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"] else { return nil }
        return StaticCredentialProvider(
            AWSCredentials(accessKeyID: key, secretAccessKey: Secret(secret), sessionToken: environment["AWS_SESSION_TOKEN"].map(Secret.init)),
            source: "the environment (AWS_ACCESS_KEY_ID)"
        )
    }

    static func hasCredentials(_ profile: [String: String]) -> Bool {
        ["aws_access_key_id", "role_arn", "credential_process", "sso_start_url", "sso_session", "web_identity_token_file"].contains {
            profile[$0] != nil
        }
    }

    private func profileProvider(_ name: String, visited: inout Set<String>) throws(AWSClientError) -> any AWSCredentialProvider {
        let files = settings.files.paths.joined(separator: ", ")
        guard let profile = settings.files.profile(name) else {
            throw AWSClientError("profile '\(name)' (a source_profile) is not in \(files)")
        }
        guard visited.insert(name).inserted else {
            throw AWSClientError(
                "profile '\(name)' is its own source through source_profile: \(visited.sorted().joined(separator: " → ")); break the loop"
            )
        }
        if let roleARN = profile["role_arn"] {
            let role = AccountRole(roleARN: roleARN, externalID: profile["external_id"])
            let session = profile["role_session_name"] ?? "gaffer"
            let duration = profile["duration_seconds"].flatMap(Int.init)
            if let tokenFile = profile["web_identity_token_file"] {
                return cached(
                    WebIdentityCredentialProvider(
                        client: stsClient(NoCredentialProvider()),
                        tokenFile: environment.expandingHome(tokenFile),
                        roleARN: roleARN,
                        sessionName: profile["role_session_name"],
                        via: "profile \(name)"
                    )
                )
            }
            let source: any AWSCredentialProvider
            if let sourceProfile = profile["source_profile"] {
                if sourceProfile == name {
                    source = try staticProfileKeys(profile, name: name)
                } else {
                    source = try profileProvider(sourceProfile, visited: &visited)
                }
            } else if let credentialSource = profile["credential_source"] {
                switch credentialSource {
                case "Environment":
                    guard let keys = environmentProvider() else {
                        throw AWSClientError(
                            "profile '\(name)' has credential_source = Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"
                        )
                    }
                    source = keys
                case "Ec2InstanceMetadata": source = cached(InstanceMetadataCredentialProvider(environment: environment, transport: transport))
                case "EcsContainer":
                    guard let container = try ContainerCredentialProvider(environment: environment, transport: transport) else {
                        throw AWSClientError(
                            "profile '\(name)' has credential_source = EcsContainer, but AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not set"
                        )
                    }
                    source = cached(container)
                default:
                    throw AWSClientError(
                        "profile '\(name)': credential_source '\(credentialSource)' is not one of Environment, Ec2InstanceMetadata, EcsContainer"
                    )
                }
            } else {
                throw AWSClientError(
                    "profile '\(name)' has role_arn but neither source_profile nor credential_source; say whose credentials assume the role"
                )
            }
            return cached(
                AssumeRoleCredentialProvider(
                    client: stsClient(source),
                    role: role,
                    sessionName: session,
                    durationSeconds: duration,
                    via: "through profile \(name)"
                )
            )
        }
        if profile["aws_access_key_id"] != nil { return try staticProfileKeys(profile, name: name) }
        if profile["credential_process"] != nil || profile["sso_start_url"] != nil || profile["sso_session"] != nil {
            throw AWSClientError(
                "profile '\(name)' uses credential_process or SSO, which Gaffer does not run; give it keys or a role_arn, or use the environment"
            )
        }
        throw AWSClientError("profile '\(name)' has no credentials (aws_access_key_id and aws_secret_access_key, or role_arn)")
    }

    private func staticProfileKeys(_ profile: [String: String], name: String) throws(AWSClientError) -> any AWSCredentialProvider {
        guard let key = profile["aws_access_key_id"], !key.isEmpty, let secret = profile["aws_secret_access_key"], !secret.isEmpty else {
            throw AWSClientError("profile '\(name)' needs both aws_access_key_id and aws_secret_access_key")
        }
        return StaticCredentialProvider(
            AWSCredentials(accessKeyID: key, secretAccessKey: Secret(secret), sessionToken: profile["aws_session_token"].map(Secret.init)),
            source: "profile \(name) of the shared files"
        )
    }

    private func cached(_ provider: any AWSCredentialProvider) -> any AWSCredentialProvider {
        CachedCredentialProvider(provider, clock: clock)
    }

    private func stsClient(_ credentials: any AWSCredentialProvider) -> AWSClient {
        AWSClient(settings: settings, credentials: credentials, transport: transport, clock: clock, waiter: waiter)
    }
}
