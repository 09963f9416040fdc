import Foundation

/// One message between agents, recorded with the plan so a reader can follow the conversation.
public struct AgentMessage: Sendable, Hashable, Codable {
    public enum Intent: String, Sendable, Hashable, Codable {
        /// "here is what I made" (a stack's name, an estimate).
        case provideResult
        /// "change what you made": the content names the change; the recipient's step runs again.
        case requestChange
        /// "I cannot do this": a capability the plan needed and no agent has.
        case reportGap
    }

    public var sender: AgentRole
    public var recipient: AgentRole?
    public var intent: Intent
    public var content: String
    /// Settings the recipient should apply (with `requestChange`), as parameter key to value.
    public var changes: [String: String]
    public var at: Date

    public init(sender: AgentRole, recipient: AgentRole?, intent: Intent, content: String, changes: [String: String] = [:], at: Date) {
        self.sender = sender
        self.recipient = recipient
        self.intent = intent
        self.content = content
        self.changes = changes
        self.at = at
    }
}

/// Something a task asked for that no agent can do yet: what was asked, and which agent lacked what.
public struct CapabilityGap: Sendable, Hashable, Codable {
    public var agent: AgentRole
    public var asked: String
    public var lacking: String

    public init(agent: AgentRole, asked: String, lacking: String) {
        self.agent = agent
        self.asked = asked
        self.lacking = lacking
    }
}
