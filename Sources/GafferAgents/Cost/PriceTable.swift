import Foundation
import GafferCore

/// List prices the cost agent reads: `templates/cost/prices.json`, or an operator's file of the same shape (`cost_prices_file`).
public struct PriceTable: Sendable, Decodable {
    public let source: String
    public let date: String
    public let hoursPerMonth: Double
    public let defaultRegionFactor: Double
    public let regionFactors: [String: Double]
    public let ec2HourlyByType: [String: Double]
    public let rdsHourlyByClass: [String: Double]
    public let units: [String: Double]

    public static func load(_ data: Data, from path: String) throws -> PriceTable {
        do {
            return try JSONDecoder().decode(PriceTable.self, from: data)
        } catch {
            throw AgentError("\(path) is not a price table like templates/cost/prices.json: \(error)")
        }
    }

    public static func shipped(_ templates: TemplateLibrary) throws -> PriceTable {
        try load(templates.data("cost/prices.json"), from: templates.directory.appendingPathComponent("cost/prices.json").path)
    }

    public func regionFactor(_ region: String?) -> Double {
        region.flatMap { regionFactors[$0] } ?? defaultRegionFactor
    }

    /// A unit price; a table without it prices that part at 0 and says so in the basis.
    func unit(_ name: String) -> Double { units[name] ?? 0 }
}
