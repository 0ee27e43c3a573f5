"""Smoke test of lookout with the official MCP Python SDK (an independent client).

Spawns `lookout demo` (the gateway against its embedded Thruk-shaped backend) over stdio,
lists tools, resources and prompts, calls a read tool, a write tool and a failing call, and
reads a resource; then `lookout demo oneuptime`, whose 153 generated tools the SDK must accept,
with a list, a get with a relation, a workflow write and a refused id; then `lookout demo
maintenant`: a container, its logs, the alert history, the live top consumers, a refused id.
Usage: python tests/python/smoke.py path/to/lookout
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
    await oneuptime(binary)
    await maintenant(binary)
    print("python sdk smoke: 3 passed (thruk, oneuptime, maintenant), 0 failed")
    return 0


async def oneuptime(binary: str) -> None:
    params = StdioServerParameters(command=binary, args=["demo", "oneuptime"], env={"LOOKOUT_LOG": "warn"})
    async with Client(stdio_client(params), mode="legacy", cache=None) as client:
        tools = (await client.list_tools()).tools
        assert len(tools) == 153 and "list_on_call_duty_policies" in {t.name for t in tools}
        who = structured(await client.call_tool("oneuptime_whoami", {}))
        assert who["name"] == "Acme Production", who
        monitors = structured(await client.call_tool("list_monitors", {"query": {"monitorType": "API"}, "limit": 2}))
        assert monitors["returned"] == 2 and monitors["next_skip"] == 2, monitors
        incident_id = structured(await client.call_tool("list_incidents", {"limit": 1}))["rows"][0]["_id"]
        incident = structured(await client.call_tool("get_incident", {"id": incident_id}))
        assert isinstance(incident["currentIncidentState"]["name"], str), incident
        ack = structured(await client.call_tool("acknowledge_incident", {"incidentId": incident_id}))
        assert "is now" in ack["message"], ack
        bad = await client.call_tool("get_monitor", {"id": "web-01"})
        assert bad.is_error and structured(bad)["code"] == "VALIDATION_ERROR", bad


async def maintenant(binary: str) -> None:
    params = StdioServerParameters(command=binary, args=["demo", "maintenant"], env={"LOOKOUT_LOG": "warn"})
    async with Client(stdio_client(params), mode="legacy", cache=None) as client:
        tools = (await client.list_tools()).tools
        assert len(tools) == 19, [t.name for t in tools]
        unhealthy = structured(await client.call_tool("get_container", {"container_id": "2"}))
        assert unhealthy["container"]["health_status"] == "unhealthy", unhealthy
        logs = structured(await client.call_tool("get_container_logs", {"container_id": "2", "lines": 20}))
        assert logs["lines_returned"] == 20 and isinstance(logs["logs"], str), logs
        history = structured(await client.call_tool("list_alerts", {"active_only": False, "limit": 3}))
        assert history["returned"] == 3 and "next_before" in history, history
        top = structured(await client.call_tool("get_top_consumers", {"metric": "cpu"}))
        assert top["consumers"][0]["container_name"] == "shop-api-1", top
        bad = await client.call_tool("get_container", {"container_id": "shop-api"})
        assert bad.is_error and structured(bad)["code"] == "VALIDATION_ERROR", bad


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "lookout")))
