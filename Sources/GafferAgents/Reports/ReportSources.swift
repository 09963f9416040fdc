import Foundation
import GafferAWS
import GafferCore

/// What report agents read: AWS through read-only clients (a write is refused in this process,
/// whatever the credentials allow), and Gaffer's registry of the resources it made.
public struct ReportSources: Sendable {
    public let accounts: AccountClients
    public let registry: any RegistryReading
    /// Where account-wide calls go (the list of regions, IAM).
    public let homeRegion: String
    /// AWS calls in flight at once per report.
    public var concurrency: Int
    /// Who owns each kind of resource and its autonomy.
    public var stewardship = Stewardship()

    /// - Parameters:
    ///   - base: Gaffer's client; reports use a read-only copy of it, with each account's read-only role.
    ///   - registry: the resources Gaffer made.
    ///   - concurrency: AWS calls in flight at once.
    public init(base: AWSClient, registry: any RegistryReading, concurrency: Int = 8) {
        self.accounts = AccountClients(base: base, access: .readOnly)
        self.registry = registry
        self.homeRegion = base.region
        self.concurrency = max(1, concurrency)
    }

    /// The accounts and regions a task reads: its account (else Gaffer's own) and its region
    /// (else every region the account has enabled).
    func scope(of task: AwsTask) async throws -> ReportScope {
        var account = task.account
        if account == nil { account = try await accounts.ownAccount() }
        let client = try await accounts.client(for: account ?? "")
        var regions = task.region == nil ? nil : task.regions
        if regions == nil { regions = try await EC2(client, region: homeRegion).describeRegions().sorted() }
        return ReportScope(accounts: [account ?? ""], regions: regions ?? [])
    }

    /// Reads AWS for every item with its account's read-only client, at most `concurrency` at once; each
    /// failure is kept as its result, for the report's gaps. When every read failed and `unlessAllFail`,
    /// nothing could be read at all (no credentials, say): the first error is thrown, not an empty report.
    func read<Item: Sendable, Output: Sendable>(
        _ items: [Item],
        account: @escaping @Sendable (Item) -> String,
        unlessAllFail: Bool = true,
        _ work: @escaping @Sendable (Item, AWSClient) async throws -> Output
    ) async throws -> [Result<Output, any Error>] {
        let accounts = self.accounts
        let results = await each(items) { item -> Result<Output, any Error> in
            do {
                return .success(try await work(item, try await accounts.client(for: account(item))))
            } catch {
                return .failure(error)
            }
        }
        if unlessAllFail, results.allSatisfy({ if case .failure = $0 { true } else { false } }), case .failure(let error)? = results.first {
            throw error
        }
        return results
    }

    /// Runs `work` for every item, at most `concurrency` at once, and returns the results in the items' order.
    func each<Item: Sendable, Output: Sendable>(
        _ items: [Item],
        _ work: @escaping @Sendable (Item) async -> Output
    ) async -> [Output] {
        // Children return a struct, not a tuple: a generic tuple as a task group's result crashes
        // release builds of Swift 6.1's concurrency runtime when copied.
        await withTaskGroup(of: Indexed<Output>.self) { group in
            var results = [Output?](repeating: nil, count: items.count)
            var next = 0
            func add() {
                let index = next
                let item = items[index]
                group.addTask { Indexed(index: index, output: await work(item)) }
                next += 1
            }
            while next < min(concurrency, items.count) { add() }
            while let done = await group.next() {
                results[done.index] = done.output
                if next < items.count { add() }
            }
            return results.compactMap { $0 }
        }
    }
}

private struct Indexed<Output: Sendable>: Sendable {
    let index: Int
    let output: Output
}

/// The accounts and regions one report covers.
struct ReportScope: Sendable {
    var accounts: [String]
    var regions: [String]

    var places: [(account: String, region: String)] { accounts.flatMap { account in regions.map { (account, $0) } } }
}
