import Foundation
import GafferCore

/// What Gaffer's own configuration says about AWS; every field may be left to the
/// environment and the shared files, as the SDKs do.
public struct AWSSettings: Sendable {
    public var region: String?
    public var profile: String?
    /// An endpoint for every service (a local AWS such as moto or LocalStack).
    public var endpointURL: String?
    /// Endpoints per service, by `AWSService.configKey` (`s3`, `secrets_manager`).
    public var endpointURLs: [String: String] = [:]
    /// Explicit credentials: they come first in the chain.
    public var credentials: AWSCredentials?
    /// Account id to the role Gaffer assumes for work in that account.
    public var accountRoles: [String: AccountRole] = [:]
    /// Account id to a read-only role for reports; an account without one uses `accountRoles`.
    public var readOnlyAccountRoles: [String: AccountRole] = [:]
    public var maxAttempts = 3
    /// Attempts for a request AWS throttles: more than for a failure, since throttling passes if
    /// one waits (a discovery of thousands of resources meets it as a matter of course).
    public var throttledMaxAttempts = 8
    public var retryBase: Duration = .milliseconds(500)
    public var retryCap: Duration = .seconds(20)
    public var timeout: Duration = .seconds(60)

    public init() {}
}

/// The role assumed for one account, and the external id its trust policy asks for.
public struct AccountRole: Sendable, Equatable {
    public var roleARN: String
    public var externalID: String?

    public init(roleARN: String, externalID: String? = nil) {
        self.roleARN = roleARN
        self.externalID = externalID
    }

    /// The account id inside a role ARN (`arn:aws:iam::ACCOUNT:role/NAME`).
    public static func account(of roleARN: String) -> String? {
        let parts = roleARN.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[4].count == 12, parts[4].allSatisfy(\.isNumber),
            parts[5].hasPrefix("role/")
        else { return nil }
        return String(parts[4])
    }
}

/// The settings after the environment and the shared files have had their say: one region,
/// one endpoint per service that has an override, the profile in use.
public struct ResolvedAWSSettings: Sendable {
    public var region: String
    /// Where the region came from, for `gaffer aws whoami`.
    public var regionSource: String
    public var profileName: String
    public var profile: [String: String]?
    public var files: SharedConfigFiles
    /// Service config key to its base URL, for services with an override.
    public var endpoints: [String: AWSEndpoint]
    public var settings: AWSSettings
    public var environment: AWSEnvironment

    /// Applies the SDKs' precedence. Region: Gaffer's setting, `AWS_REGION`, `AWS_DEFAULT_REGION`,
    /// the profile's `region`, then us-east-1. Endpoints: Gaffer's per-service then global setting,
    /// `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's `[services]` entry, the profile's
    /// `endpoint_url`; `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` (or the profile's
    /// `ignore_configured_endpoint_urls`) leaves only Gaffer's own.
    public static func resolve(_ settings: AWSSettings, environment: AWSEnvironment) throws(AWSClientError) -> ResolvedAWSSettings {
        let files = try SharedConfigFiles.load(environment)
        let profileName = settings.profile ?? environment.profileName
        let profile = files.profile(profileName)
        if settings.profile != nil || environment["AWS_PROFILE"] != nil, profile == nil {
            let known = files.profiles.keys.sorted()
            throw AWSClientError(
                "the AWS profile '\(profileName)' is not in \(files.paths.isEmpty ? "any shared file (none found)" : files.paths.joined(separator: " or "))"
                    + (known.isEmpty ? "" : "; profiles there: \(known.joined(separator: ", "))")
            )
        }
        let region: String
        let regionSource: String
        if let value = settings.region {
            (region, regionSource) = (value, "Gaffer's configuration")
        } else if let value = environment["AWS_REGION"] {
            (region, regionSource) = (value, "AWS_REGION")
        } else if let value = environment["AWS_DEFAULT_REGION"] {
            (region, regionSource) = (value, "AWS_DEFAULT_REGION")
        } else if let value = profile?["region"], !value.isEmpty {
            (region, regionSource) = (value, "profile \(profileName)")
        } else {
            (region, regionSource) = ("us-east-1", "the default")
        }

        let ignoreConfigured =
            (environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] ?? profile?["ignore_configured_endpoint_urls"])?.lowercased() == "true"
        let servicesSection = profile?["services"].flatMap { files.services[$0] } ?? [:]
        var endpoints: [String: AWSEndpoint] = [:]
        for key in settings.endpointURLs.keys where !AWSService.all.contains(where: { $0.configKey == key }) {
            throw AWSClientError(
                "aws_endpoint_urls names '\(key)', which is not a service Gaffer calls; use one of \(AWSService.all.map(\.configKey).joined(separator: ", "))"
            )
        }
        for service in AWSService.all {
            var candidates: [(String?, String)] = [
                (settings.endpointURLs[service.configKey], "aws_endpoint_urls"), (settings.endpointURL, "aws_endpoint_url"),
            ]
            if !ignoreConfigured {
                candidates += [
                    (environment[service.environmentKey], service.environmentKey), (environment["AWS_ENDPOINT_URL"], "AWS_ENDPOINT_URL"),
                    (servicesSection[service.configKey + ".endpoint_url"], "services \(profile?["services"] ?? "") \(service.configKey)"),
                    (profile?["endpoint_url"], "profile \(profileName) endpoint_url"),
                ]
            }
            guard let (url, source) = candidates.first(where: { $0.0 != nil && $0.0 != "" }), let url else { continue }
            endpoints[service.configKey] = try AWSEndpoint(url, source: source)
        }
        return ResolvedAWSSettings(
            region: region,
            regionSource: regionSource,
            profileName: profileName,
            profile: profile,
            files: files,
            endpoints: endpoints,
            settings: settings,
            environment: environment
        )
    }
}

/// A base URL requests go to: scheme, host, port, and a path prefix.
public struct AWSEndpoint: Sendable, Equatable {
    public var scheme: String
    public var host: String
    public var port: Int?
    public var basePath: String
    /// True for AWS's own endpoints (S3 uses virtual-hosted buckets there).
    public var isDefault = false

    public init(_ url: String, source: String) throws(AWSClientError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = components.host, !host.isEmpty
        else {
            throw AWSClientError(
                "\(source): '\(url)' is not an endpoint URL; give one such as http://127.0.0.1:5000 or https://s3.eu-west-1.amazonaws.com"
            )
        }
        self.scheme = scheme
        self.host = host
        self.port = components.port
        self.basePath =
            components.percentEncodedPath.hasSuffix("/") ? String(components.percentEncodedPath.dropLast()) : components.percentEncodedPath
    }

    public static func `default`(for service: AWSService, region: String) -> AWSEndpoint {
        var endpoint = AWSEndpoint(scheme: "https", host: service.defaultHost(region: region))
        endpoint.isDefault = true
        return endpoint
    }

    init(scheme: String, host: String, port: Int? = nil, basePath: String = "") {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = basePath
    }

    /// The Host header: the port only when it is not the scheme's own.
    public var hostHeader: String {
        guard let port, !(scheme == "https" && port == 443), !(scheme == "http" && port == 80) else { return host }
        return "\(host):\(port)"
    }
}
