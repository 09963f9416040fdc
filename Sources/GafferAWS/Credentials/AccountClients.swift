import Foundation
import Synchronization

/// Clients for the accounts Gaffer works in: the configured role of each account is
/// assumed with the base client's credentials (and the external id, if given), and the
/// assumed credentials are kept and refreshed per account.
///
/// Made `readOnly`, it is what reports use: each account's `readOnlyAccountRoles` entry comes first,
/// and every client it hands out refuses writes in this process.
public final class AccountClients: Sendable {
    public let base: AWSClient
    public let access: AWSAccess
    private let clients = Mutex<[String: AWSClient]>([:])
    private let identity = Mutex<String?>(nil)

    public init(base: AWSClient, access: AWSAccess = .readWrite) {
        self.base = base
        self.access = access
    }

    private var roles: [String: AccountRole] {
        let settings = base.settings.settings
        return access == .readOnly ? settings.accountRoles.merging(settings.readOnlyAccountRoles) { _, readOnly in readOnly } : settings.accountRoles
    }

    /// The client for `account`: the base client for its own account, an assumed role for a
    /// configured one; any other account is an error that says how to configure it.
    public func client(for account: String) async throws -> AWSClient {
        if let existing = clients.withLock({ $0[account] }) { return existing }
        let own = access == .readOnly ? base.readOnly() : base
        guard let role = roles[account] else {
            let identity = try await ownAccount()
            if identity == account {
                clients.withLock { $0[account] = own }
                return own
            }
            let known = roles.keys.sorted()
            throw AWSClientError(
                "no role is configured for AWS account \(account) (Gaffer's credentials are in \(identity)); add \(account)=arn:aws:iam::\(account):role/NAME to "
                    + (access == .readOnly ? "aws_readonly_account_roles (or aws_account_roles)" : "aws_account_roles")
                    + (known.isEmpty ? "" : " (configured: \(known.joined(separator: ", ")))")
            )
        }
        let provider = CachedCredentialProvider(
            AssumeRoleCredentialProvider(client: base, role: role, via: "for account \(account)"),
            clock: base.clock
        )
        return clients.withLock { cache in
            if let existing = cache[account] { return existing }
            let client = own.with(credentials: provider)
            cache[account] = client
            return client
        }
    }

    /// The account the base credentials belong to, asked of STS once.
    public func ownAccount() async throws -> String {
        if let known = identity.withLock({ $0 }) { return known }
        let account = try await STS(base).getCallerIdentity().account
        identity.withLock { $0 = account }
        return account
    }
}
