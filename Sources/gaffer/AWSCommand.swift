import ArgumentParser
import Foundation
import GafferAWS
import GafferApp
import GafferCore

/// `gaffer aws`: AWS tools for operators.
struct AWSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aws",
        abstract: "AWS tools.",
        subcommands: [AWSWhoamiCommand.self, AWSInventoryCommand.self, AWSSignCommand.self]
    )
}

/// The options every AWS command shares: which profile and region, and Gaffer's configuration.
struct AWSClientOptions: ParsableArguments {
    @Option(help: "The profile of ~/.aws/config to use (default: aws_profile, AWS_PROFILE, or default).")
    var profile: String?

    @Option(help: "The region (default: default_region, AWS_REGION, AWS_DEFAULT_REGION, the profile's, us-east-1).")
    var region: String?

    @OptionGroup var options: ConfigOption

    /// The client, or exit 2 with what is wrong with the settings.
    func client() throws -> AWSClient {
        var settings = try CommandSupport.loadConfiguration(options, needs: []).awsSettings
        if let profile { settings.profile = profile }
        if let region { settings.region = region }
        do {
            return try AWSClient.standard(settings)
        } catch {
            FileHandle.standardError.write(Data("gaffer: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// Runs an AWS call; a refusal or an unreachable endpoint is printed and exits 1.
func reportingAWSErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as AWSServiceError {
        FileHandle.standardError.write(Data("gaffer: \(error)\n".utf8))
        throw ExitCode(1)
    } catch let error as AWSClientError {
        FileHandle.standardError.write(Data("gaffer: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

/// `gaffer aws whoami`: who Gaffer is at AWS, and where that came from.
struct AWSWhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Print the AWS account, identity ARN, where the credentials came from, and the region."
    )

    @Option(help: "Show the identity Gaffer takes in this account (through aws_account_roles).")
    var account: String?

    @OptionGroup var aws: AWSClientOptions

    func run() async throws {
        let base = try aws.client()
        try await reportingAWSErrors {
            var client = base
            if let account { client = try await AccountClients(base: base).client(for: account) }
            let identity = try await STS(client).getCallerIdentity()
            let source = try await client.credentials.resolve().source
            print("account:     \(identity.account)\narn:         \(identity.arn)\nuser id:     \(identity.userID)")
            print("credentials: \(source)\nregion:      \(client.region) (from \(client.settings.regionSource))")
            if let endpoint = client.settings.endpoints[AWSService.sts.configKey] {
                print("endpoint:    \(endpoint.scheme)://\(endpoint.hostHeader)\(endpoint.basePath)")
            }
        }
    }
}

/// `gaffer aws inventory`: every tagged resource of a region, by service.
struct AWSInventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "List the region's tagged resources by service, with their tags.",
        discussion: "Uses the Resource Groups Tagging API, which sees only resources that have (or had) a tag."
    )

    @Option(name: .customLong("tag"), help: "KEY=VALUE, or KEY for any value; resources must carry every one (repeat).")
    var tags: [String] = []

    @Flag(help: "Print JSON lines: {\"arn\", \"service\", \"tags\"}.")
    var json = false

    @OptionGroup var aws: AWSClientOptions

    func run() async throws {
        var filters: [String: String?] = [:]
        for tag in tags {
            let parts = tag.split(separator: "=", maxSplits: 1).map(String.init)
            guard let key = parts.first, !key.isEmpty else { throw ValidationError("--tag '\(tag)' should be KEY=VALUE or KEY") }
            filters[key] = parts.count > 1 ? parts[1] : String?.none
        }
        let client = try aws.client()
        let resources = try await reportingAWSErrors { try await ResourceGroupsTagging(client).allResources(tags: filters) }
        if json {
            for resource in resources {
                let line: [String: Any] = ["arn": resource.arn, "service": resource.service, "tags": resource.tags]
                let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            }
            return
        }
        let byService = Dictionary(grouping: resources, by: \.service)
        for service in byService.keys.sorted() {
            let entries = byService[service] ?? []
            print("\(service) (\(entries.count))")
            for resource in entries.sorted(by: { $0.arn < $1.arn }) {
                let tagText = resource.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                print("  \(resource.arn)  \(tagText)")
            }
        }
        print("\(resources.count) resource\(resources.count == 1 ? "" : "s") in \(client.region)")
    }
}

/// `gaffer aws sign`: every step of a SigV4 signature for a raw HTTP request, for when AWS refuses one.
struct AWSSignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Print the canonical request, the string to sign, the signature and the signed request for a raw HTTP request.",
        discussion: """
            The context is JSON as in AWS's SigV4 test suite: {"credentials": {"access_key_id", "secret_access_key", "token"}, \
            "region", "service", "timestamp" (ISO 8601), "normalize", "sign_body", "expiration_in_seconds"}.
            """
    )

    @Option(help: "The signing context (JSON).")
    var context: String

    @Option(help: "The raw HTTP request: request line, headers, a blank line, the body.")
    var request: String

    @Flag(help: "Presign: put the signature in the query string instead of the headers.")
    var query = false

    func run() throws {
        let parsed: SigningContext
        let date: Date
        do {
            parsed = try SigningContext.decode(Data(try CommandSupport.readInput(context).utf8))
            date = try parsed.date()
        } catch let error as SigningContext.Invalid {
            throw ValidationError("\(context) is not a signing context: \(error)")
        }
        let parts: HTTPRequestParts
        do {
            parts = try HTTPRequestParts.parse(try CommandSupport.readInput(request))
        } catch let error as HTTPRequestParts.ParseError {
            throw ValidationError("\(request): \(error)")
        }
        let signer = parsed.signer()
        let signature =
            query
            ? signer.presign(parts, at: date, expires: parsed.expiresIn)
            : signer.sign(parts, at: date)
        let signed = query ? parts.text(addingQuery: signature.additions) : parts.text(addingHeaders: signature.additions)
        print(
            "canonical request:\n\(signature.canonicalRequest)\n\nstring to sign:\n\(signature.stringToSign)\n\nsignature: \(signature.signature)\n\nsigned request:\n\(signed)"
        )
    }
}
