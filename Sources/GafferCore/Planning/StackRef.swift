/// A CloudFormation stack a plan writes: its name, its template in the file set, and where it goes.
public struct StackRef: Sendable, Hashable, Codable {
    public var name: String
    /// The template's path in the plan's file set.
    public var template: String
    public var region: String?
    public var account: String?

    public init(name: String, template: String, region: String?, account: String?) {
        self.name = name
        self.template = template
        self.region = region
        self.account = account
    }
}
