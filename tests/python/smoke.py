"""Smoke test of lookout with the official MCP Python SDK (an independent client).

Spawns `lookout demo` (the gateway against its embedded Thruk-shaped backend) over stdio,
lists tools, resources and prompts, calls a read tool, a write tool and a failing call, and
reads a resource. Usage: python tests/python/smoke.py path/to/lookout
"""

from __future__ import annotations

import asyncio
import json
import sys

from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client


def structured(result) -> dict:
    data = getattr(result, "structured_content", None)
    if data is None:
        data = json.loads(result.content[0].text)
    return data


async def main(binary: str) -> int:
    params = StdioServerParameters(command=binary, args=["demo"], env={"LOOKOUT_LOG": "warn"})
    async with Client(stdio_client(params), mode="legacy", cache=None) as client:
        assert client.server_info.name == "lookout", client.server_info
        tools = (await client.list_tools()).tools
        names = {t.name for t in tools}
        assert len(names) == 29 and "thruk_problems" in names, sorted(names)
        problems = structured(await client.call_tool("thruk_problems", {"limit": 5}))
        assert problems["hosts"]["rows"] and problems["services"]["rows"], problems
        ack = await client.call_tool("thruk_acknowledge", {"host": "web-03", "service": "HTTP", "comment": "smoke"})
        assert not ack.is_error, ack
        svc = structured(await client.call_tool("thruk_get_service", {"host": "web-03", "service": "HTTP"}))
        assert svc["acknowledged"] == 1, svc
        bad = await client.call_tool("thruk_get_host", {})
        assert bad.is_error and structured(bad)["code"] == "VALIDATION_ERROR", bad
        resources = (await client.list_resources()).resources
        assert {str(r.uri) for r in resources} == {"thruk://problems", "thruk://stats"}
        host = await client.read_resource("thruk://hosts/web-01")
        assert json.loads(host.contents[0].text)["name"] == "web-01"
        prompts = (await client.list_prompts()).prompts
        assert {p.name for p in prompts} == {"investigate_alert", "schedule_maintenance", "diagnose_flapping"}
        prompt = await client.get_prompt("investigate_alert", {"host": "web-03"})
        assert "web-03" in prompt.messages[0].content.text
    print("python sdk smoke: 1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "lookout")))
