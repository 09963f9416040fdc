import Foundation
import GafferAWS
import GafferCore

/// Finds what runs in a task's accounts and regions, service by service and through the tagging
/// API, and says which resources Gaffer manages (in its registry), which it does not, and which it
/// made but are no longer there. A listing that fails is named in the report's gaps, and nothing
/// it would have listed is called gone.
struct Discovery: Sendable {
    let sources: ReportSources
    let clock: any WallClock

    func run(_ task: AwsTask) async throws -> Report {
        let scope = try await sources.scope(of: task)
        let listings = Listing.needed(for: task.resource)
        let reads = scope.places.flatMap { place in listings.map { (account: place.account, region: place.region, listing: $0) } }
        let results = try await sources.read(reads, account: { $0.account }) { read, client in
            try await read.listing.read(client, account: read.account, region: read.region)
        }

        var byARN: [String: ReportResource] = [:]
        var order: [String] = []
        var tags: [String: [String: String]] = [:]
        var taggedIn: [String: String] = [:]
        var gaps: [String] = []
        /// Places and types that could not be read: their registered resources are not called gone.
        var unread = Set<String>()
        for (read, result) in zip(reads, results) {
            switch result {
            case .failure(let error):
                gaps.append("\(read.account) \(read.region): \(read.listing.rawValue): \(error)")
                unread.insert("\(read.account)/\(read.region)/\(read.listing.type ?? "*")")
            case .success(let found):
                for (arn, value) in found.tags {
                    tags[arn] = value
                    taggedIn[arn] = read.region
                }
                for resource in found.resources where byARN[resource.arn] == nil {
                    byARN[resource.arn] = resource
                    order.append(resource.arn)
                }
            }
        }
        // Resources only the tagging API sees (CloudFront, API Gateway, log groups...).
        for (arn, value) in tags.sorted(by: { $0.key < $1.key }) {
            if byARN[arn] != nil {
                byARN[arn]?.tags.merge(value) { own, _ in own }
                continue
            }
            let place = ResourceARN.location(of: arn)
            let type = Self.taggedType(arn)
            guard Listing.matches(type: type, arn: arn, resource: task.resource) else { continue }
            byARN[arn] = ReportResource(
                id: Self.name(in: arn),
                arn: arn,
                type: type,
                region: taggedIn[arn] ?? place?.region ?? "",
                account: place?.account.isEmpty == false ? place?.account ?? "" : scope.accounts.first ?? "",
                tags: value
            )
            order.append(arn)
        }

        let regions = Set(scope.regions)
        var resources = order.compactMap { byARN[$0] }.filter { regions.contains($0.region) }
        if let name = task.resourceName { resources = resources.filter { $0.id == name || $0.arn == name } }

        let registry = try await sources.registry.registeredResources()
        let registered = Dictionary(registry.map { ($0.arn, $0) }, uniquingKeysWith: { first, _ in first })
        for index in resources.indices {
            guard let entry = registered[resources[index].arn] else { continue }
            resources[index].managed = true
            resources[index].stack = entry.stack.name
            resources[index].dependsOn = entry.dependsOn
        }
        let seen = Set(resources.map(\.arn))
        let accounts = Set(scope.accounts)
        for entry in registry.sorted(by: { $0.arn < $1.arn }) where !seen.contains(entry.arn) {
            let key = entry.stack
            guard ResourceARN.listedTypes.contains(entry.resourceType), accounts.contains(key.account), regions.contains(key.region),
                Listing.matches(type: entry.resourceType, arn: entry.arn, resource: task.resource),
                task.resourceName == nil || entry.arn.hasSuffix(task.resourceName ?? ""),
                !unread.contains("\(key.account)/\(key.region)/\(entry.resourceType)"),
                !unread.contains("\(key.account)/\(key.region)/*")
            else { continue }
            var gone = ReportResource(
                id: Self.name(in: entry.arn),
                arn: entry.arn,
                type: entry.resourceType,
                region: key.region,
                account: key.account,
                managed: true,
                gone: true,
                health: .unhealthy,
                evidence: ["in Gaffer's registry (stack \(key.name), issue #\(entry.issue)) but not found in AWS"]
            )
            gone.stack = key.name
            resources.append(gone)
        }
        for index in resources.indices {
            resources[index].owner = sources.stewardship.steward(for: resources[index].type).owner
            resources[index].autonomy = sources.stewardship.autonomy(of: resources[index].type, tags: resources[index].tags)
        }
        resources.sort { ($0.service, $0.type, $0.region, $0.id) < ($1.service, $1.type, $1.region, $1.id) }
        return Report(
            kind: task.kind,
            accounts: scope.accounts,
            regions: scope.regions,
            generatedAt: clock.now(),
            resources: resources,
            gaps: gaps.sorted()
        )
    }

    /// `cloudfront:distribution` from `arn:aws:cloudfront::123:distribution/E1`.
    static func taggedType(_ arn: String) -> String {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6 else { return "unknown" }
        let resource = parts[5].split(whereSeparator: { $0 == "/" || $0 == ":" }).first.map(String.init) ?? ""
        return "\(parts[2]):\(resource)"
    }

    /// The last part of an ARN: the name or id people know the resource by.
    static func name(in arn: String) -> String {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6 else { return arn }
        let resource = parts[5]
        if let slash = resource.firstIndex(where: { $0 == "/" || $0 == ":" }) { return String(resource[resource.index(after: slash)...]) }
        return String(resource)
    }
}
