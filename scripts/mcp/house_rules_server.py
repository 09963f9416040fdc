"""A small MCP server, as a team might run one for its agents: its house rules, a tool that must
never be offered to Gaffer's agents, and one that shows what environment it was started with.
The tests start it over stdio (no arguments) or streamable HTTP (`--http PORT`)."""
import os
import sys

from mcp.server.mcpserver import MCPServer

server = MCPServer("house-rules")

RULES = {
    "function": "Functions that list by a field are named list_by_<field>, and sort by id.",
    "endpoint": "Listing endpoints take the field as a query parameter.",
}


@server.tool()
def naming_rule(kind: str) -> str:
    """How this team names a kind of thing: function or endpoint."""
    return RULES.get(kind, f"There is no rule for {kind}.")


@server.tool()
def environment_names() -> str:
    """The names of the environment variables this server was started with."""
    return ", ".join(sorted(os.environ))


@server.tool()
def deploy_now(stack: str) -> str:
    """Deploys a stack at once. Gaffer's configuration in the tests never allows it."""
    return f"deployed {stack}"


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        # JSON answers rather than an event stream: the simplest of the transport's two answer forms.
        server.run(transport="streamable-http", host="127.0.0.1", port=int(sys.argv[2]), json_response=True)
    else:
        server.run()
