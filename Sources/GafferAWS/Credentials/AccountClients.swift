import Foundation
import Synchronization

/// Clients for the accounts Gaffer works in: the configured role of each account is
/// assumed with the base client's credentials (and the external id, if given), and the
/// assumed credentials are kept and refreshed per account.
public final class AccountClients: Sendable {
    public let base: AWSClient
    private let clients = Mutex<[String: AWSClient]>([:])

    public init(base: AWSClient) {
        self.base = base
    }

    /// The client for `account`: the base client for its own account, an assumed role for a
    /// configured one; any other account is an error that says how to configure it.
    public func client(for account: String) async throws -> AWSClient {
        if let existing = clients.withLock({ $0[account] }) { return existing }
        guard let role = base.settings.settings.accountRoles[account] else {
            let own = try await STS(base).getCallerIdentity().account
            if own == account {
                clients.withLock { $0[account] = base }
                return base
            }
            let known = base.settings.settings.accountRoles.keys.sorted()
            throw AWSClientError(
                "no role is configured for AWS account \(account) (Gaffer's credentials are in \(own)); add \(account)=arn:aws:iam::\(account):role/NAME to aws_account_roles"
                    + (known.isEmpty ? "" : " (configured: \(known.joined(separator: ", ")))")
            )
        }
        let provider = CachedCredentialProvider(
            AssumeRoleCredentialProvider(client: base, role: role, via: "for account \(account)"),
            clock: base.clock
        )
        return clients.withLock { cache in
            if let existing = cache[account] { return existing }
            let client = base.with(credentials: provider)
            cache[account] = client
            return client
        }
    }
}
