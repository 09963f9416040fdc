import ArgumentParser
import Foundation
import GafferApp
import GafferCore
import GafferGitHub

/// `gaffer github`: GitHub tools for operators.
struct GitHubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "github",
        abstract: "Check Gaffer's access to GitHub.",
        subcommands: [GitHubCheckCommand.self]
    )
}

/// `gaffer github check`: who Gaffer is on GitHub, where it is installed, and the rate limit left.
struct GitHubCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "With the configured credentials, print who Gaffer is (app or user), its installations and the rate limit left."
    )

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let configuration = try CommandSupport.loadConfiguration(options, needs: [.github])
        guard let credentials = configuration.githubCredentials else { throw ExitCode(2) }
        var settings = GitHubClient.Settings(baseURL: configuration.githubAPIURL)
        settings.maximumAttempts = 2
        settings.requestTimeout = .seconds(15)
        do {
            let client = try await GitHubClient(settings: settings, credentials: credentials)
            print("GitHub API: \(configuration.githubAPIURL.absoluteString)")
            let caller: GitHubCaller
            switch credentials {
            case .app:
                let app = try await client.app()
                print("GitHub App: \(app.name) (id \(app.id)\(app.slug.map { ", \($0)[bot]" } ?? ""))")
                let installations = try await client.installations()
                if installations.isEmpty { print("installations: none; install the app on an organization or account") }
                for installation in installations {
                    print("installation \(installation.id) on \(installation.account?.login ?? "?")")
                }
                guard let first = installations.first else { return }
                caller = .installation(first.id)
            case .token:
                let user = try await client.authenticatedUser()
                print("user: \(user.login) (a personal token; check runs need a GitHub App)")
                caller = .token
            }
            let login = try await client.ownLogin()
            if login.caseInsensitiveCompare(configuration.botLogin) != .orderedSame {
                print(
                    "bot_login: \(configuration.botLogin) is not who Gaffer is on GitHub (\(login)): comments mentioning @\(login) are not read as commands; set bot_login: \(login)"
                )
            } else {
                print("bot_login: \(login), as GitHub says")
            }
            let limit = try await client.rateLimit(as: caller).rate
            let reset = Date(timeIntervalSince1970: TimeInterval(limit.reset))
            print("rate limit: \(limit.remaining) of \(limit.limit) left, renewed at \(reset.formatted(.iso8601))")
        } catch let error as GitHubAPIError {
            FileHandle.standardError.write(Data("gaffer: \(Self.diagnose(error, credentials: credentials))\n".utf8))
            throw ExitCode(1)
        } catch {
            FileHandle.standardError.write(Data("gaffer: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// What an operator should do about a refusal.
    static func diagnose(_ error: GitHubAPIError, credentials: GitHubCredentials, now: Date = Date()) -> String {
        guard error.status == 401 else { return error.description }
        if let serverDate = error.serverDate, abs(serverDate.timeIntervalSince(now)) > 30 {
            let skew = Int(now.timeIntervalSince(serverDate))
            return
                "\(error.description). This machine's clock is \(abs(skew)) s \(skew > 0 ? "ahead of" : "behind") GitHub's, and GitHub refuses JWTs from a skewed clock: set the clock right (NTP)."
        }
        switch credentials {
        case .app(let id, _):
            return
                "\(error.description). GitHub refused the app's JWT: check that github_app_id (\(id)) is the app's id or client id, and that the private key is this app's (the key may have been revoked)."
        case .token:
            return "\(error.description). The token is wrong, expired or revoked: make a new one and set github_token."
        }
    }
}
