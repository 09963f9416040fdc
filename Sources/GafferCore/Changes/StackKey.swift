/// A stack where it lives: locks and plans are per account, region and name.
public struct StackKey: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var account: String
    public var region: String
    public var name: String

    public init(account: String, region: String, name: String) {
        self.account = account
        self.region = region
        self.name = name
    }

    /// `account/region/name`, the lock's key.
    public var description: String { "\(account)/\(region)/\(name)" }

    public static func < (a: StackKey, b: StackKey) -> Bool { a.description < b.description }
}
