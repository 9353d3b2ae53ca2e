"""An MCP host, made of the official Python SDK (`mcp` on PyPI): launches `skillctl mcp`
over stdio with `mcp.client.stdio` and drives it with `ClientSession`, then prints what it
saw as one JSON object for the Swift test to check.

    mcp_client.py --skillctl PATH --socket PATH tools --install PATH
    mcp_client.py --skillctl PATH --socket PATH complete
    mcp_client.py --skillctl PATH --socket PATH auto
    mcp_client.py --skillctl PATH --socket PATH --url URL --token-file FILE tools --install PATH

With --url, the SDK speaks Streamable HTTP (`mcp.client.streamable_http`) to the daemon's
`/mcp` at URL with the bearer token in FILE, instead of launching `skillctl mcp`; skillctl
still installs and reads runs over the socket.

`tools`: initialize, list the tools, call `greets` (structured and text), `failing` (a tool
error) and a tool that does not exist (a protocol error), `streams` with a progress callback,
cancel a call of `writes-until-aborted` once it reports progress and wait until
`skillctl runs` shows its run ended, then install the skill at --install and wait for
`notifications/tools/list_changed`. `complete`: call the `complete` skill, which needs the model.
`auto`: the SDK's high-level `Client` in its default mode, which probes `server/discover`
(a 2026-era method) and falls back to `initialize`; it lists the tools and calls `greets`.
"""
import argparse
import json
import subprocess
import sys
import time

import anyio
import mcp_types
from mcp import Client, StdioServerParameters
from mcp.client.session import ClientSession
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError
from mcp_types.version import LATEST_HANDSHAKE_VERSION, LATEST_PROTOCOL_VERSION

TIMEOUT_SECONDS = 30


def dump(model):
    return model.model_dump(by_alias=True, exclude_none=True, mode="json")


def skillctl_json(arguments, *command):
    completed = subprocess.run([arguments.skillctl, "--socket", arguments.socket, "--json", *command],
                               capture_output=True, text=True, check=True)
    return json.loads(completed.stdout)


async def call_and_dump(session, name, tool_arguments):
    try:
        return {"result": dump(await session.call_tool(name, tool_arguments))}
    except MCPError as error:
        return {"error": {"code": error.code, "message": error.error.message}}


async def cancel_streaming_call(session, arguments):
    """Calls writes-until-aborted, cancels the call at its first progress notification, and
    waits for the daemon to record the run's end."""
    progressed = anyio.Event()
    seen = {"progress": 0, "returned": False}

    async def on_progress(progress, total, message):
        seen["progress"] += 1
        progressed.set()

    async def call():
        await session.call_tool("writes-until-aborted", {}, progress_callback=on_progress)
        seen["returned"] = True

    async with anyio.create_task_group() as group:
        group.start_soon(call)
        with anyio.fail_after(TIMEOUT_SECONDS):
            await progressed.wait()
        group.cancel_scope.cancel()

    deadline = time.monotonic() + TIMEOUT_SECONDS
    runs = []
    while time.monotonic() < deadline:
        runs = skillctl_json(arguments, "runs", "--skill", "writes-until-aborted")["runs"]
        if runs and runs[0]["status"] != "running":
            break
        await anyio.sleep(0.05)
    return {"progress_seen": seen["progress"] > 0, "returned": seen["returned"],
            "run": runs[0] if runs else None}


async def tools_scenario(session, arguments, tools_changed):
    report = {"tools": [dump(tool) for tool in (await session.list_tools()).tools]}
    report["greets"] = await call_and_dump(session, "greets", {"name": "Ada"})
    report["failing"] = await call_and_dump(session, "failing", {})
    report["unknown"] = await call_and_dump(session, "no-such-skill", {})

    progress = []

    async def on_progress(value, total, message):
        progress.append({"progress": value, "message": message})

    streamed = await session.call_tool("streams", {}, progress_callback=on_progress)
    report["streams"] = {"result": dump(streamed), "progress": progress}

    report["cancelled"] = await cancel_streaming_call(session, arguments)

    subprocess.run([arguments.skillctl, "--socket", arguments.socket, "install", arguments.install],
                   capture_output=True, check=True)
    with anyio.fail_after(TIMEOUT_SECONDS):
        await tools_changed.wait()
    report["tools_after_install"] = [tool.name for tool in (await session.list_tools()).tools]
    return report


async def complete_scenario(session):
    tools = {tool.name: dump(tool) for tool in (await session.list_tools()).tools}
    result = await session.call_tool(
        "complete", {"prompt": "The capital of France is", "max_tokens": 8, "temperature": 0},
        read_timeout_seconds=120)
    return {"tool": tools.get("complete"), "result": dump(result)}


async def auto_scenario(server):
    async with Client(server) as client:
        tools = await client.list_tools()
        result = await client.call_tool("greets", {"name": "Cy"})
        return {"protocol_version": client.protocol_version, "tools": [tool.name for tool in tools.tools],
                "greets": dump(result)}


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--skillctl", required=True)
    parser.add_argument("--socket", required=True)
    parser.add_argument("scenario", choices=["tools", "complete", "auto"])
    parser.add_argument("--install")
    parser.add_argument("--url")
    parser.add_argument("--token-file")
    arguments = parser.parse_args()

    tools_changed = anyio.Event()

    async def on_message(message):
        if isinstance(message, mcp_types.ToolListChangedNotification):
            tools_changed.set()

    server = StdioServerParameters(command=arguments.skillctl, args=["--socket", arguments.socket, "mcp"])
    if arguments.scenario == "auto":
        json.dump(await auto_scenario(server), sys.stdout)
        return
    if arguments.url:
        with open(arguments.token_file) as token_file:
            token = token_file.read().strip()
        http_client = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
        transport = streamable_http_client(arguments.url, http_client=http_client)
    else:
        transport = stdio_client(server)
    async with transport as (read, write):
        async with ClientSession(read, write, message_handler=on_message) as session:
            with anyio.fail_after(TIMEOUT_SECONDS):
                initialized = await session.initialize()
            report = {
                "sdk": {"latest_handshake_version": LATEST_HANDSHAKE_VERSION,
                        "latest_protocol_version": LATEST_PROTOCOL_VERSION},
                "initialize": dump(initialized),
            }
            if arguments.scenario == "tools":
                report.update(await tools_scenario(session, arguments, tools_changed))
            else:
                report.update(await complete_scenario(session))
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    anyio.run(main)
