import Foundation
import Synchronization

/// Clients for the accounts Gaffer works in: the configured role of each account is
/// assumed with the base client's credentials (and the external id, if given), and the
/// assumed credentials are kept and refreshed per account.
///
/// Made `readOnly`, it is what reports use: each account's `readOnlyAccountRoles` entry comes first,
/// and every client it hands out refuses writes in this process.
public final class AccountClients: Sendable {
    /// The client for Gaffer's own account (read-only when `access` is).
    public let base: AWSClient
    public let access: AWSAccess
    /// Assumes the roles: STS AssumeRole is not a read, and it changes nothing in AWS. Never handed out.
    private let credentialsClient: AWSClient
    private let clients = Mutex<[String: AWSClient]>([:])
    private let identity = Mutex<String?>(nil)

    public init(base: AWSClient, access: AWSAccess = .readWrite) {
        self.base = access == .readOnly ? base.readOnly() : base
        self.access = access
        self.credentialsClient = base
    }

    private var roles: [String: AccountRole] {
        let settings = base.settings.settings
        return access == .readOnly ? settings.accountRoles.merging(settings.readOnlyAccountRoles) { _, readOnly in readOnly } : settings.accountRoles
    }

    /// The client for `account`: the base client for its own account, an assumed role for a
    /// configured one; any other account is an error that says how to configure it.
    public func client(for account: String) async throws -> AWSClient {
        if let existing = clients.withLock({ $0[account] }) { return existing }
        guard let role = roles[account] else {
            let identity = try await ownAccount()
            if identity == account {
                clients.withLock { $0[account] = base }
                return base
            }
            let known = roles.keys.sorted()
            throw AWSClientError(
                "no role is configured for AWS account \(account) (Gaffer's credentials are in \(identity)); add \(account)=arn:aws:iam::\(account):role/NAME to "
                    + (access == .readOnly ? "aws_readonly_account_roles (or aws_account_roles)" : "aws_account_roles")
                    + (known.isEmpty ? "" : " (configured: \(known.joined(separator: ", ")))")
            )
        }
        let provider = CachedCredentialProvider(
            AssumeRoleCredentialProvider(client: credentialsClient, role: role, via: "for account \(account)"),
            clock: base.clock
        )
        return clients.withLock { cache in
            if let existing = cache[account] { return existing }
            let client = base.with(credentials: provider)
            cache[account] = client
            return client
        }
    }

    /// The account the base credentials belong to, asked of STS once.
    public func ownAccount() async throws -> String {
        if let known = identity.withLock({ $0 }) { return known }
        let account = try await STS(credentialsClient).getCallerIdentity().account
        identity.withLock { $0 = account }
        return account
    }
}
