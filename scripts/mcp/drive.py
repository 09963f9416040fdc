#!/usr/bin/env python3
"""Drives an MCP server with the Python MCP SDK as a real client, and prints one JSON object of what it saw.

    drive.py stdio -- COMMAND [ARG...]     starts COMMAND and speaks MCP on its standard input and output
    drive.py http URL [TOKEN [GITHUB_TOKEN]]
                                            speaks streamable HTTP to URL, with Authorization: Bearer TOKEN,
                                            and the person's own GitHub token in X-GitHub-Token

It lists the tools and calls each one named in the JSON of MCP_CALLS ({"tool": {arguments}}).
The tests read its output; Gaffer's own test suite starts it (scripts/setup installs the SDK).
"""
import asyncio
import json
import os
import sys

import httpx2
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client


async def drive(read, write, calls):
    async with ClientSession(read, write) as session:
        init = await session.initialize()
        listed = await session.list_tools()
        seen = {
            "server": {"name": init.server_info.name, "version": init.server_info.version},
            "tools": [
                {"name": t.name, "readOnly": bool(t.annotations and t.annotations.read_only_hint), "schema": t.input_schema}
                for t in listed.tools
            ],
            "calls": {},
        }
        for name, arguments in calls.items():
            result = await session.call_tool(name, arguments)
            text = "".join(c.text for c in result.content if getattr(c, "type", "") == "text")
            seen["calls"][name] = {"isError": bool(result.is_error), "text": text, "structured": result.structured_content}
        return seen


async def main():
    calls = json.loads(os.environ.get("MCP_CALLS", "{}"))
    mode = sys.argv[1]
    if mode == "stdio":
        command = sys.argv[sys.argv.index("--") + 1 :]
        # The SDK gives a server a minimal environment of its own unless told: pass on ours (GAFFER_*).
        params = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ))
        async with stdio_client(params) as (read, write):
            seen = await drive(read, write, calls)
    else:
        url = sys.argv[2]
        headers = {"Authorization": f"Bearer {sys.argv[3]}"} if len(sys.argv) > 3 else {}
        if len(sys.argv) > 4:
            headers["X-GitHub-Token"] = sys.argv[4]
        async with httpx2.AsyncClient(headers=headers, timeout=30) as client:
            async with streamable_http_client(url, http_client=client) as (read, write):
                seen = await drive(read, write, calls)
    print(json.dumps(seen, sort_keys=True))


if __name__ == "__main__":
    asyncio.run(main())
