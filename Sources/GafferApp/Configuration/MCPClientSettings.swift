import Foundation
import GafferCore
import GafferMCP

/// Other MCP servers whose tools Gaffer's agents may use (`mcp_servers`), and which of their tools (`mcp_allowed_tools`).
public struct MCPClientSettings: Sendable {
    /// Each server by name: its transport.
    public var servers: [String: MCPServerSpec.Transport] = [:]
    /// `server/tool` pairs.
    public var allowed: Set<String> = []

    public init() {}

    /// The servers with their allowed tools; a server without any is left out (the start-up check says so).
    public var specs: [MCPServerSpec] {
        servers.keys.sorted().compactMap { name in
            guard let transport = servers[name] else { return nil }
            let tools = Set(allowed.compactMap { $0.hasPrefix(name + "/") ? String($0.dropFirst(name.count + 1)) : nil })
            return tools.isEmpty ? nil : MCPServerSpec(name: name, transport: transport, allowed: tools)
        }
    }

    /// `NAME=COMMAND ARG…` (started by Gaffer, spoken to over stdio) or `NAME=http(s)://…` (streamable HTTP).
    static func readServers(_ entries: [String], set: ([String: MCPServerSpec.Transport]) -> Void) -> String? {
        var servers: [String: MCPServerSpec.Transport] = [:]
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[1].isEmpty else {
                return "'\(entry)' should be NAME=COMMAND ARGS or NAME=URL, such as docs=/usr/bin/python3 /srv/docs_server.py"
            }
            let name = parts[0]
            guard !name.isEmpty, name.count <= 32, name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
                return "'\(name)' is not a server name: use 1 to 32 lowercase letters, digits and hyphens"
            }
            if parts[1].hasPrefix("http://") || parts[1].hasPrefix("https://") {
                guard let url = URL(string: parts[1]), url.host != nil else { return "'\(parts[1])' is not a URL" }
                servers[name] = .http(url)
            } else {
                servers[name] = .stdio(parts[1].split(separator: " ", omittingEmptySubsequences: true).map(String.init))
            }
        }
        set(servers)
        return nil
    }

    /// `SERVER/TOOL` entries.
    static func readAllowed(_ entries: [String], set: (Set<String>) -> Void) -> String? {
        for entry in entries where entry.split(separator: "/").count != 2 {
            return "'\(entry)' should be SERVER/TOOL, such as docs/search"
        }
        set(Set(entries))
        return nil
    }

    /// A tool allowed of a server not listed, or a server none of whose tools is allowed: said at start.
    func problems() -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        for entry in allowed.sorted() {
            let server = String(entry.prefix { $0 != "/" })
            if servers[server] == nil {
                problems.append(
                    ConfigurationProblem(
                        source: "GAFFER_MCP_ALLOWED_TOOLS",
                        message: "\(entry) names no server of mcp_servers; add \(server)=… there"
                    )
                )
            }
        }
        for name in servers.keys.sorted() where !allowed.contains(where: { $0.hasPrefix(name + "/") }) {
            problems.append(
                ConfigurationProblem(
                    source: "GAFFER_MCP_ALLOWED_TOOLS",
                    message: "the MCP server \(name) has no tool in mcp_allowed_tools, so agents could use none; list them as \(name)/TOOL"
                )
            )
        }
        return problems
    }
}
