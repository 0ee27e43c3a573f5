#!/usr/bin/env python3
"""lookout's benchmark: what the gateway costs next to a direct call to the upstream, and
side by side with the Python thruk-mcp. Run it through `bash bench/run.sh` (which builds
lookout, checks wrk and nginx, and installs thruk-mcp in a throw-away virtual environment);
BENCHMARKS.md explains every figure.

Everything runs on loopback: nginx serves Thruk-shaped fixture files (gen_fixtures.py) on
two ports, lookout and thruk-mcp are started against it, wrk (with load.lua) and this
script's own clients load them. Every comparison is a ratio taken in the same run, and
absolute figures are given as median (min-max) over the repetitions. Nothing here is a
pass/fail test: the script fails only when a measurement cannot be taken (an answer that is
an error, a server that does not start).

Standard library only (Python 3.10+).
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import hashlib
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PROTOCOL = "2025-06-18"
MCP_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json, text/event-stream",
    "MCP-Protocol-Version": PROTOCOL,
}
API_KEY = "bench-key"  # anything: the upstream does not check it
HOSTS_ROWS = 50  # rows of the default thruk_list_hosts call (its default limit)

LOG_LINES: list[str] = []


def log(msg: str) -> None:
    line = f"[{time.strftime('%H:%M:%S')}] {msg}"
    LOG_LINES.append(line)
    print(line, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# ------------------------------------------------------------------------------------------
# processes


class Procs:
    """The processes this script started; all stopped at exit, by pid, and only those."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def start(self, cmd: list[str], env: dict | None = None, log_path: Path | None = None, **kw) -> subprocess.Popen:
        err = open(log_path, "ab") if log_path else subprocess.DEVNULL
        p = subprocess.Popen(
            cmd, env=env, stdin=kw.pop("stdin", subprocess.DEVNULL),
            stdout=kw.pop("stdout", err), stderr=err, **kw,
        )
        if log_path:
            err.close()
        self.procs.append(p)
        return p

    def stop(self, p: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
        if p.poll() is None:
            try:
                p.send_signal(sig)
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
            except ProcessLookupError:
                pass
        if p in self.procs:
            self.procs.remove(p)

    def stop_all(self) -> None:
        for p in list(reversed(self.procs)):
            try:
                self.stop(p, timeout=5)
            except Exception:  # noqa: BLE001 - best effort at exit
                pass


PROCS = Procs()
atexit.register(PROCS.stop_all)


def _on_signal(signum, _frame):
    PROCS.stop_all()
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen | None, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise BenchError(f"process exited with status {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)
    raise BenchError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


def proc_status(pid: int) -> dict[str, int]:
    """VmHWM (peak resident set), VmRSS, and the resident set's anonymous part (heap, stacks)
    and file-backed part (the executable's and libraries' pages), in KiB."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmHWM:", "VmRSS:", "RssAnon:", "RssFile:")):
                    key, value = line.split(":", 1)
                    out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


CLK_TCK = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    kids = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                kids.extend(int(k) for k in f.read().split())
    except OSError:
        pass
    return kids


def cpu_seconds(pid: int, with_children: bool = True) -> float:
    """User + system CPU time of a process (all threads), plus its live children's."""
    total = 0.0
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return 0.0
    if with_children:
        for kid in _children(pid):
            total += cpu_seconds(kid, True)
    return total


# ------------------------------------------------------------------------------------------
# statistics and formatting


def spread(values: list[float]) -> dict | None:
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"min": min(values), "median": statistics.median(values), "max": max(values), "n": len(values)}


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def num(v: float | None, digits: int | None = None) -> str:
    if v is None:
        return "–"
    if digits is None:
        a = abs(v)
        digits = 0 if a >= 100 else 1 if a >= 10 else 2 if a >= 0.1 else 3
    return f"{v:,.{digits}f}"


def fmt(s: dict | None, digits: int | None = None, unit: str = "") -> str:
    """median (min–max), or the one value when there is one."""
    if not s:
        return "–"
    if s["n"] == 1 or s["min"] == s["max"]:
        return f"{num(s['median'], digits)}{unit}"
    return f"{num(s['median'], digits)}{unit} ({num(s['min'], digits)}–{num(s['max'], digits)})"


def fmt_ratio(s: dict | None) -> str:
    if not s:
        return "–"
    d = 3 if s["max"] < 0.1 else 2 if s["max"] < 100 else 0
    if s["n"] == 1 or s["min"] == s["max"]:
        return f"{s['median']:.{d}f}×"
    return f"{s['median']:.{d}f}× ({s['min']:.{d}f}–{s['max']:.{d}f})"


def table(headers: list[str], rows: list[list[str]], align: str | None = None) -> str:
    align = align or "l" + "r" * (len(headers) - 1)
    seps = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(seps) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------
# MCP over HTTP


def http_request(port: int, method: str, path: str, body: bytes | None = None,
                 headers: dict | None = None, timeout: float = 60) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def jsonrpc_from_body(data: bytes, content_type: str) -> dict:
    """The JSON-RPC message of an answer: plain JSON, or the last `data:` event of a stream."""
    if "text/event-stream" in content_type:
        message = None
        for line in data.decode("utf-8", "replace").splitlines():
            if line.startswith("data:"):
                try:
                    candidate = json.loads(line[5:].strip())
                except ValueError:
                    continue
                if isinstance(candidate, dict) and ("result" in candidate or "error" in candidate):
                    message = candidate
        if message is None:
            raise BenchError(f"no JSON-RPC answer in the event stream: {data[:300]!r}")
        return message
    return json.loads(data)


def tool_rows(result: dict) -> tuple[int | None, dict]:
    """Rows in a thruk_list_hosts / thruk_sites result, whatever the server's answer shape."""
    info: dict = {}
    sc = result.get("structuredContent")
    if isinstance(sc, dict) and isinstance(sc.get("rows"), list):
        info["truncated"] = bool(sc.get("truncated"))
        return len(sc["rows"]), info
    for item in result.get("content") or []:
        if item.get("type") == "text":
            try:
                payload = json.loads(item["text"])
            except ValueError:
                continue
            if isinstance(payload, list):
                return len(payload), info
            if isinstance(payload, dict):
                for key in ("rows", "data", "result"):
                    if isinstance(payload.get(key), list):
                        return len(payload[key]), info
    return None, info


@dataclass
class Server:
    """An MCP server under test (or the direct upstream, with kind == "direct")."""

    name: str            # key in the results: direct, lookout, thruk-mcp, thruk-mcp-sessions
    label: str           # in the report
    kind: str            # direct | lookout | thruk-mcp
    port: int
    path: str
    proc: subprocess.Popen | None = None
    session: str | None = None
    headers: dict = field(default_factory=dict)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def request_headers(self) -> dict:
        h = dict(MCP_HEADERS)
        if self.session:
            h["Mcp-Session-Id"] = self.session
        h.update(self.headers)
        return h

    def rpc(self, method: str, params: dict | None = None, rid: int = 1) -> tuple[dict, int]:
        """One JSON-RPC request; returns (message, answer size in bytes)."""
        body = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            body["params"] = params
        status, headers, data = http_request(self.port, "POST", self.path,
                                             json.dumps(body).encode(), self.request_headers())
        if status != 200:
            raise BenchError(f"{self.label}: {method} answered HTTP {status}: {data[:300]!r}")
        return jsonrpc_from_body(data, headers.get("content-type", "")), len(data)

    def initialize(self) -> None:
        """The session handshake of a stateful server (kept for the load)."""
        body = json.dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": PROTOCOL, "capabilities": {},
            "clientInfo": {"name": "lookout-bench", "version": "1"}}}).encode()
        status, headers, data = http_request(self.port, "POST", self.path, body, dict(MCP_HEADERS))
        if status != 200:
            raise BenchError(f"{self.label}: initialize answered HTTP {status}: {data[:300]!r}")
        self.session = headers.get("mcp-session-id")
        note = json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}).encode()
        status, _, data = http_request(self.port, "POST", self.path, note, self.request_headers())
        if status not in (200, 202):
            raise BenchError(f"{self.label}: notifications/initialized answered HTTP {status}: {data[:200]!r}")

    def call(self, tool: str, arguments: dict, expect_rows: int | None = None) -> tuple[dict, int]:
        msg, size = self.rpc("tools/call", {"name": tool, "arguments": arguments})
        if "error" in msg:
            raise BenchError(f"{self.label}: {tool} failed: {json.dumps(msg['error'])[:300]}")
        result = msg["result"]
        if result.get("isError"):
            raise BenchError(f"{self.label}: {tool} answered a tool error: {json.dumps(result)[:400]}")
        rows, _ = tool_rows(result)
        if expect_rows is not None and rows != expect_rows:
            raise BenchError(f"{self.label}: {tool} answered {rows} rows, expected {expect_rows}: "
                             f"{json.dumps(result)[:300]}")
        return result, size


def tools_call_body(tool: str, arguments: dict, rid: int = 1) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": rid, "method": "tools/call",
                       "params": {"name": tool, "arguments": arguments}}).encode()


# ------------------------------------------------------------------------------------------
# the bench


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.out = Path(args.out).resolve()
        self.run_dir = self.out / "run"
        self.fixtures = self.out / "fixtures"
        # A copy, so that a rebuild while the bench runs does not change what is measured.
        self.lookout_source = Path(args.lookout_bin).resolve()
        self.out.mkdir(parents=True, exist_ok=True)
        self.lookout = str(self.out / "lookout-under-test")
        shutil.copy2(self.lookout_source, self.lookout)
        self.thruk_mcp = args.thruk_mcp or None
        self.results: dict = {"notes": [], "errors": []}
        self.notes: list[str] = self.results["notes"]
        self.fast_port = self.slow_port = self.delay_port = 0
        self.nginx: subprocess.Popen | None = None

    # ---- set-up ---------------------------------------------------------------------------

    def setup(self) -> None:
        if self.run_dir.exists():
            shutil.rmtree(self.run_dir)
        (self.run_dir / "tmp").mkdir(parents=True)
        (self.run_dir / "logs").mkdir()
        log("writing the upstream fixtures")
        meta = subprocess.run([sys.executable, str(BENCH / "gen_fixtures.py"), str(self.fixtures)],
                              check=True, capture_output=True, text=True).stdout
        self.results["fixtures"] = json.loads(meta)
        self.delay_port, self.fast_port, self.slow_port = free_port(), free_port(), free_port()
        delay = PROCS.start([sys.executable, str(BENCH / "delay_server.py"), str(self.delay_port),
                             str(self.args.upstream_delay_ms)], log_path=self.run_dir / "logs" / "delay.log")
        wait_port(self.delay_port, delay)
        conf = (BENCH / "nginx.conf.in").read_text()
        user = "user root root;" if os.geteuid() == 0 else ""
        for key, value in {"PREFIX": str(self.run_dir), "FIXTURES": str(self.fixtures),
                           "FAST_PORT": str(self.fast_port), "SLOW_PORT": str(self.slow_port),
                           "DELAY_PORT": str(self.delay_port), "USER_DIRECTIVE": user}.items():
            conf = conf.replace(f"@{key}@", value)
        (self.run_dir / "nginx.conf").write_text(conf)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        cmd = [nginx, "-p", str(self.run_dir), "-c", str(self.run_dir / "nginx.conf"), "-g", "daemon off;"]
        test = subprocess.run(cmd[:-2] + ["-t"], capture_output=True, text=True)
        if test.returncode != 0:
            raise BenchError(f"nginx -t failed:\n{test.stderr}")
        self.nginx = PROCS.start(cmd, log_path=self.run_dir / "logs" / "nginx.log")
        wait_port(self.fast_port, self.nginx)
        wait_port(self.slow_port, self.nginx)
        log(f"nginx upstream on 127.0.0.1:{self.fast_port} (load) and :{self.slow_port} "
            f"(bursts, {self.args.upstream_delay_ms} ms per answer)")
        # The upstream URL lookout requests for the default call, read back from the slow
        # server's access log, so that the direct call is exactly the same request.
        probe = self.start_lookout("probe", self.base_url(slow=True), cache=False)
        try:
            before = len(self.slow_log_lines())
            probe.call("thruk_list_hosts", {}, expect_rows=HOSTS_ROWS)
            time.sleep(0.2)
            uri = self.slow_log_lines()[before].split()[2]
        finally:
            self.stop(probe)
        self.results["upstream_request"] = uri
        log(f"lookout requests GET {uri}")

    def base_url(self, slow: bool = False) -> str:
        return f"http://127.0.0.1:{self.slow_port if slow else self.fast_port}/thruk"

    def nginx_requests(self) -> int:
        _, _, data = http_request(self.fast_port, "GET", "/nginx_status")
        m = re.search(rb"\n\s*(\d+)\s+(\d+)\s+(\d+)", data)
        return int(m.group(3)) if m else 0

    def slow_log_lines(self) -> list[str]:
        path = self.run_dir / "slow-access.log"
        return path.read_text().splitlines() if path.exists() else []

    # ---- servers --------------------------------------------------------------------------

    def env_base(self) -> dict:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("THRUK_", "LOOKOUT_", "MCP_", "ONEUPTIME_", "MAINTENANT_"))}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # thruk-mcp as users run it, with its .pyc
        env["THRUK_API_KEY"] = API_KEY
        return env

    def lookout_env(self, base_url: str, cache: bool, extra: dict | None = None) -> dict:
        env = self.env_base()
        env.update({"THRUK_BASE_URL": base_url, "LOOKOUT_CACHE": "true" if cache else "false",
                    "LOOKOUT_LOG": "warn"})
        env.update(extra or {})
        return env

    def thruk_mcp_env(self, base_url: str, extra: dict | None = None) -> dict:
        env = self.env_base()
        env.update({"THRUK_BASE_URL": base_url, "MCP_HTTP_ALLOW_UNAUTHENTICATED": "true",
                    "THRUK_AUDIT_LOG": "false"})
        env.update(extra or {})
        return env

    def start_lookout(self, name: str, base_url: str, cache: bool, extra: dict | None = None) -> Server:
        port = free_port()
        proc = PROCS.start([self.lookout, "--listen", f"127.0.0.1:{port}"],
                           env=self.lookout_env(base_url, cache, extra),
                           log_path=self.run_dir / "logs" / f"{name}.log")
        wait_port(port, proc)
        return Server(name, "lookout", "lookout", port, "/mcp", proc)

    def start_thruk_mcp(self, name: str, base_url: str, sessions: bool = False,
                        extra: dict | None = None) -> Server:
        port = free_port()
        cmd = [self.thruk_mcp, "--listen", str(port), "--host", "127.0.0.1", "--log-level", "WARNING"]
        if not sessions:
            cmd += ["--stateless", "--json-response"]
        proc = PROCS.start(cmd, env=self.thruk_mcp_env(base_url, extra),
                           log_path=self.run_dir / "logs" / f"{name}.log")
        wait_port(port, proc, timeout=60)
        label = "thruk-mcp (sessions, SSE)" if sessions else "thruk-mcp"
        server = Server(name, label, "thruk-mcp", port, "/mcp/", proc)
        if sessions:
            server.initialize()
        return server

    def stop(self, server: Server) -> None:
        if server.proc:
            PROCS.stop(server.proc)

    def thruk_mcp_failed(self, step: str, e: Exception) -> None:
        """thruk-mcp failing is not lookout's failure: say so, and go on without it."""
        msg = f"thruk-mcp failed in the {step} step and was left out from there on: {type(e).__name__}: {e}"
        log(msg)
        self.notes.append(msg)
        self.thruk_mcp = None

    # ---- 4. tokens ------------------------------------------------------------------------

    def measure_tokens(self) -> None:
        log("tokens: tools/list and thruk_list_hosts answer sizes")
        res: dict = {}
        self.results["tokens"] = res
        lookout_tools: list[str] = []

        def measure(s: Server, tools_list: bool = True) -> None:
            nonlocal lookout_tools
            entry: dict = {"label": s.label}
            if tools_list:
                msg, size = s.rpc("tools/list")
                tools = msg["result"]["tools"]
                entry["tools_list"] = {"bytes": size, "tools": len(tools)}
                if s.kind == "lookout":
                    lookout_tools = [t["name"] for t in tools]
            for case, args in (("default_columns", {"limit": 1000}),
                               ("all_columns", {"limit": 1000, "columns": ""})):
                result, size = s.call("thruk_list_hosts", args)
                rows, info = tool_rows(result)
                text = sum(len(c.get("text", "").encode()) for c in result.get("content") or [])
                sc = result.get("structuredContent")
                entry[case] = {"bytes": size, "rows": rows, "text_bytes": text,
                               "structured_bytes": len(json.dumps(sc, separators=(",", ":")).encode()) if sc else 0,
                               "truncated": info.get("truncated", False)}
            res[s.name] = entry

        s = self.start_lookout("tokens-lookout", self.base_url(), cache=False)
        try:
            measure(s)
        finally:
            self.stop(s)
        s = self.start_lookout("tokens-lookout-nobudget", self.base_url(), cache=False,
                               extra={"LOOKOUT_MAX_RESULT_BYTES": "100000000"})
        s.label = "lookout, LOOKOUT_MAX_RESULT_BYTES=100000000"
        try:
            measure(s, tools_list=False)
        finally:
            self.stop(s)
        if self.thruk_mcp:
            try:
                s = self.start_thruk_mcp("tokens-thruk-mcp", self.base_url())
                try:
                    measure(s)
                finally:
                    self.stop(s)
                s = self.start_thruk_mcp("tokens-thruk-mcp-29", self.base_url(),
                                         extra={"THRUK_ENABLED_TOOLS": ",".join(lookout_tools)})
                try:
                    msg, size = s.rpc("tools/list")
                    res["thruk-mcp-same-tools"] = {"label": "thruk-mcp, THRUK_ENABLED_TOOLS = lookout's tool names",
                                                   "tools_list": {"bytes": size, "tools": len(msg["result"]["tools"])}}
                finally:
                    self.stop(s)
            except (BenchError, OSError, KeyError, ValueError) as e:
                self.thruk_mcp_failed("tokens", e)
        meta = self.results["fixtures"]["bytes"]
        res["upstream"] = {"default_columns": meta["hosts-1000-default.json"], "all_columns": meta["hosts-1000-all.json"]}

    # ---- 1. load over HTTP, 3. memory -------------------------------------------------------

    def wrk(self, server: Server, url: str, conns: int, duration: int, body: Path | None,
            headers: dict) -> dict:
        env = dict(os.environ)
        env.pop("BENCH_BODY", None)
        if body:
            env["BENCH_BODY"] = str(body)
        env["BENCH_HEADERS"] = "\n".join(f"{k}: {v}" for k, v in headers.items())
        threads = min(2, conns)
        cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--timeout", "10s",
               "-s", str(BENCH / "load.lua"), url]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=duration + 60)
        m = re.search(r"^BENCH_RESULT (\{.*\})$", proc.stdout, re.M)
        if not m:
            raise BenchError(f"wrk gave no result for {server.label}:\n{proc.stdout}\n{proc.stderr}")
        return json.loads(m.group(1))

    def preflight(self, server: Server) -> None:
        if server.kind == "direct":
            status, _, data = http_request(self.fast_port, "GET", server.path, headers=server.headers)
            rows = len(json.loads(data)) if status == 200 else None
            if rows != HOSTS_ROWS:
                raise BenchError(f"direct GET {server.path} answered {status} with {rows} rows")
        else:
            server.call("thruk_list_hosts", {}, expect_rows=HOSTS_ROWS)

    def measure_load(self) -> None:
        a = self.args
        log("HTTP load: starting the servers")
        servers = [self.start_lookout("lookout", self.base_url(), cache=False)]
        if self.thruk_mcp:
            try:
                servers.append(self.start_thruk_mcp("thruk-mcp", self.base_url()))
                servers.append(self.start_thruk_mcp("thruk-mcp-sessions", self.base_url(), sessions=True))
            except (BenchError, OSError) as e:
                for s in servers[1:]:
                    self.stop(s)
                servers = servers[:1]
                self.thruk_mcp_failed("load", e)
        memory: dict = {}
        self.results["memory_http"] = memory
        for s in servers:
            s.rpc("tools/list")
            memory[s.name] = {"label": s.label, "idle": proc_status(s.pid)}
        uri = self.results["upstream_request"]
        direct = Server("direct", "direct GET (nginx)", "direct", self.fast_port, uri,
                        headers={"X-Thruk-Auth-Key": API_KEY})
        targets = [direct] + servers
        body = self.run_dir / "tools-call.json"
        body.write_bytes(tools_call_body("thruk_list_hosts", {}))
        runs: list[dict] = []
        self.results["load"] = {"runs": runs, "upstream_uri": uri, "duration_s": a.duration,
                                "reps": a.reps, "conns": a.conns,
                                "labels": {t.name: t.label for t in targets}}
        total = a.reps * len(a.conns) * len(targets)
        n = 0
        for rep in range(1, a.reps + 1):
            for conns in a.conns:
                for t in targets:
                    n += 1
                    self.preflight(t)
                    headers = dict(t.headers)
                    if t.session:
                        headers["Mcp-Session-Id"] = t.session
                    cpu0 = cpu_seconds(t.pid) if t.pid else None
                    ngx0 = cpu_seconds(self.nginx.pid)
                    t_start = time.time()
                    req0 = self.nginx_requests()
                    r = self.wrk(t, t.url(), conns, a.duration, None if t.kind == "direct" else body, headers)
                    req1 = self.nginx_requests() - 1  # minus the status request itself
                    r["upstream_requests"] = req1 - req0
                    r["nginx_cpu_s"] = cpu_seconds(self.nginx.pid) - ngx0
                    if cpu0 is not None:
                        r["server_cpu_s"] = cpu_seconds(t.pid) - cpu0
                    r.update({"target": t.name, "conns": conns, "rep": rep,
                              "busy": SAMPLER.busy_between(t_start, time.time())})
                    runs.append(r)
                    errors = r["http_errors"] + r["rpc_errors"] + r["tool_errors"] + r["bad_bodies"] + r["socket_errors"]
                    log(f"load {n}/{total} rep {rep} c={conns:<2} {t.label:<26} {r['rps']:>9.1f} req/s "
                        f"p50 {r['p50_ms']:.2f} ms p99 {r['p99_ms']:.2f} ms errors {errors}"
                        + (f" ({r['first_bad'][:120]})" if errors else "")
                        + (f" [running alongside: {', '.join(r['busy'])}]" if r["busy"] else ""))
                    if errors:
                        self.results["errors"].append(f"{t.label} c={conns} rep {rep}: {errors} errors, first: {r['first_bad']}")
                    time.sleep(0.5)
        for s in servers:
            memory[s.name]["after_load"] = proc_status(s.pid)
            self.stop(s)

    # ---- 1c. where lookout's time goes ------------------------------------------------------

    def measure_breakdown(self) -> None:
        """One connection, requests of growing weight: the cost of each layer by difference."""
        a = self.args
        log(f"breakdown: lookout at 1 connection, {a.breakdown_duration} s per request kind")
        cases = [("ping", "`ping` (HTTP + JSON-RPC only)", {"jsonrpc": "2.0", "id": 1, "method": "ping"}),
                 ("tools_list", "`tools/list`", {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
                 ("call_1", "`thruk_list_hosts` `limit: 1`",
                  json.loads(tools_call_body("thruk_list_hosts", {"limit": 1}))),
                 ("call_50", "`thruk_list_hosts` (50 rows)", json.loads(tools_call_body("thruk_list_hosts", {})))]
        res: dict = {"labels": {k: label for k, label, _ in cases}, "runs": []}
        self.results["breakdown"] = res
        s = self.start_lookout("breakdown", self.base_url(), cache=False)
        try:
            s.call("thruk_list_hosts", {"limit": 1}, expect_rows=1)
            for rep in range(1, a.reps + 1):
                for key, _label, body in cases:
                    path = self.run_dir / f"breakdown-{key}.json"
                    path.write_text(json.dumps(body))
                    cpu0 = cpu_seconds(s.pid)
                    r = self.wrk(s, s.url(), 1, a.breakdown_duration, path, {})
                    r["server_cpu_s"] = cpu_seconds(s.pid) - cpu0
                    r.update({"case": key, "rep": rep})
                    res["runs"].append(r)
                    errors = r["http_errors"] + r["rpc_errors"] + r["tool_errors"] + r["bad_bodies"] + r["socket_errors"]
                    if errors:
                        self.results["errors"].append(f"breakdown {key} rep {rep}: {errors} errors, first: {r['first_bad']}")
                    log(f"breakdown rep {rep} {key:<10} {r['rps']:>8.1f} req/s p50 {r['p50_ms']:.3f} ms "
                        f"CPU {r['server_cpu_s'] * 1000 / max(r['requests'], 1):.3f} ms/call")
        finally:
            self.stop(s)

    # ---- 1b. stdio round trips, 2. start-up -------------------------------------------------

    def stdio_cmd(self, kind: str) -> tuple[list[str], dict]:
        if kind == "lookout":
            return [self.lookout], self.lookout_env(self.base_url(), cache=False)
        return [self.thruk_mcp, "--log-level", "WARNING"], self.thruk_mcp_env(self.base_url())

    def measure_stdio(self) -> None:
        a = self.args
        log(f"stdio: {a.stdio_calls} sequential thruk_list_hosts calls per session")
        kinds = ["lookout"] + (["thruk-mcp"] if self.thruk_mcp else [])
        res: dict = {k: [] for k in ["direct"] + kinds}
        self.results["stdio"] = res
        path = self.results["upstream_request"]
        for rep in range(1, a.reps + 1):
            # The same request made directly from this client, on one kept-alive connection.
            conn = http.client.HTTPConnection("127.0.0.1", self.fast_port, timeout=30)
            lat = []
            for _ in range(a.stdio_calls):
                t0 = time.perf_counter()
                conn.request("GET", path, headers={"X-Thruk-Auth-Key": API_KEY})
                data = conn.getresponse().read()
                lat.append((time.perf_counter() - t0) * 1000)
                if not data.startswith(b"["):
                    raise BenchError("direct GET did not answer a list")
            conn.close()
            res["direct"].append(self._lat_summary(lat))
            for kind in list(kinds):
                if kind == "thruk-mcp" and not self.thruk_mcp:
                    continue
                try:
                    self._stdio_session(kind, res)
                except (BenchError, OSError, KeyError, ValueError) as e:
                    if kind != "thruk-mcp":
                        raise
                    self.thruk_mcp_failed("stdio", e)
                    continue
                log(f"stdio rep {rep} {kind:<10} p50 {res[kind][-1]['p50_ms']:.2f} ms "
                    f"p99 {res[kind][-1]['p99_ms']:.2f} ms")

    def _stdio_session(self, kind: str, res: dict) -> None:
        a = self.args
        cmd, env = self.stdio_cmd(kind)
        with StdioClient(cmd, env, self.run_dir / "logs" / f"stdio-{kind}.log") as c:
            c.initialize()
            c.request("tools/list")
            lat = []
            for _ in range(a.stdio_calls):
                msg, secs = c.timed_request("tools/call", {"name": "thruk_list_hosts", "arguments": {}})
                lat.append(secs * 1000)
                if "error" in msg or msg["result"].get("isError"):
                    raise BenchError(f"{kind} over stdio: {json.dumps(msg)[:300]}")
            rows, _ = tool_rows(msg["result"])
            if rows != HOSTS_ROWS:
                raise BenchError(f"{kind} over stdio answered {rows} rows")
            summary = self._lat_summary(lat)
            summary["hwm_kib"] = proc_status(c.proc.pid).get("VmHWM")
            res[kind].append(summary)

    @staticmethod
    def _lat_summary(lat: list[float]) -> dict:
        return {"calls": len(lat), "p50_ms": percentile(lat, 50), "p99_ms": percentile(lat, 99),
                "mean_ms": statistics.fmean(lat), "min_ms": min(lat), "max_ms": max(lat)}

    def measure_startup(self) -> None:
        a = self.args
        log(f"start-up: {a.startup_runs} spawns per server")
        kinds = ["lookout"] + (["thruk-mcp"] if self.thruk_mcp else [])
        res: dict = {k: {"tools_list_ms": [], "hwm_kib": [], "rss_kib": [], "anon_kib": [], "one_shot_ms": []}
                     for k in kinds}
        self.results["startup"] = res
        for i in range(a.startup_runs + 1):  # the first round, untimed: page cache, .pyc files
            for kind in list(kinds):
                try:
                    self._startup_once(kind, res[kind] if i else None)
                except (BenchError, OSError, KeyError, ValueError) as e:
                    if kind != "thruk-mcp":
                        raise
                    self.thruk_mcp_failed("start-up", e)
                    kinds.remove(kind)
        for kind in kinds:
            log(f"start-up {kind:<10} tools/list {fmt(spread(res[kind]['tools_list_ms']), unit=' ms')}, "
                f"one-shot call {fmt(spread(res[kind]['one_shot_ms']), unit=' ms')}")

    def _startup_once(self, kind: str, res: dict | None) -> None:
        cmd, env = self.stdio_cmd(kind)
        errlog = self.run_dir / "logs" / f"startup-{kind}.log"
        # spawn -> initialize -> tools/list answered
        t0 = time.perf_counter()
        with StdioClient(cmd, env, errlog) as c:
            c.initialize()
            msg = c.request("tools/list")
            t1 = time.perf_counter()
            if not msg.get("result", {}).get("tools"):
                raise BenchError(f"{kind}: tools/list over stdio: {json.dumps(msg)[:300]}")
            st = proc_status(c.proc.pid)
        # spawn -> initialize -> one tools/call -> exit (the Docker MCP Gateway's default:
        # a container per call)
        t2 = time.perf_counter()
        with StdioClient(cmd, env, errlog) as c:
            c.initialize()
            msg = c.request("tools/call", {"name": "thruk_list_hosts", "arguments": {}})
            if "error" in msg or msg["result"].get("isError"):
                raise BenchError(f"{kind}: tools/call over stdio: {json.dumps(msg)[:300]}")
        t3 = time.perf_counter()
        if res is not None:
            res["tools_list_ms"].append((t1 - t0) * 1000)
            res["hwm_kib"].append(st.get("VmHWM"))
            res["rss_kib"].append(st.get("VmRSS"))
            res["anon_kib"].append(st.get("RssAnon"))
            res["one_shot_ms"].append((t3 - t2) * 1000)

    # ---- 5. bursts ---------------------------------------------------------------------------

    def burst(self, server: Server, tool: str, n: int) -> dict:
        body = tools_call_body(tool, {})
        headers = server.request_headers()
        conns = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=120) for _ in range(n)]
        for c in conns:
            c.connect()
        barrier = threading.Barrier(n + 1)
        out: list = [None] * n

        def worker(i: int) -> None:
            barrier.wait()
            t0 = time.perf_counter()
            try:
                conns[i].request("POST", server.path, body=body, headers=headers)
                resp = conns[i].getresponse()
                data = resp.read()
                good = resp.status == 200 and b'"result"' in data and not re.search(rb'"isError"\s*:\s*true', data)
            except Exception:  # noqa: BLE001 - counted as a failed call
                good = False
            out[i] = ((time.perf_counter() - t0) * 1000, good)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        before = len(self.slow_log_lines())
        barrier.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        wall = (time.perf_counter() - t0) * 1000
        for c in conns:
            c.close()
        time.sleep(0.3)
        upstream = len(self.slow_log_lines()) - before
        lat = [o[0] for o in out]
        return {"upstream_requests": upstream, "failed": sum(1 for o in out if not o[1]),
                "p50_ms": percentile(lat, 50), "max_ms": max(lat), "min_ms": min(lat), "wall_ms": wall}

    def measure_bursts(self) -> None:
        a = self.args
        log(f"bursts: {a.burst} identical concurrent calls, upstream answering in {a.upstream_delay_ms} ms")
        configs = [("lookout-cache", "lookout, LOOKOUT_CACHE=true"), ("lookout-nocache", "lookout, LOOKOUT_CACHE=false")]
        if self.thruk_mcp:
            configs.append(("thruk-mcp", "thruk-mcp"))
        tools = ["thruk_list_hosts", "thruk_sites"]
        res: dict = {"labels": dict(configs), "runs": []}
        self.results["bursts"] = res
        for rep in range(1, a.reps + 1):
            for tool in tools:
                for name, _label in configs:
                    if name == "thruk-mcp" and not self.thruk_mcp:
                        continue
                    try:
                        if name.startswith("lookout"):
                            s = self.start_lookout(name, self.base_url(slow=True), cache=name == "lookout-cache")
                        else:
                            s = self.start_thruk_mcp(name, self.base_url(slow=True))
                        try:
                            s.rpc("tools/list")
                            cold = self.burst(s, tool, a.burst)
                            warm = self.burst(s, tool, a.burst)
                        finally:
                            self.stop(s)
                    except (BenchError, OSError, KeyError, ValueError) as e:
                        if name != "thruk-mcp":
                            raise
                        self.thruk_mcp_failed("bursts", e)
                        continue
                    res["runs"].append({"rep": rep, "tool": tool, "config": name, "cold": cold, "warm": warm})
                    log(f"burst rep {rep} {tool:<16} {name:<16} upstream {cold['upstream_requests']:>3} then "
                        f"{warm['upstream_requests']:>3}, p50 {cold['p50_ms']:.0f} / {warm['p50_ms']:.0f} ms, "
                        f"failed {cold['failed'] + warm['failed']}")
                    if cold["failed"] or warm["failed"]:
                        self.results["errors"].append(f"burst {tool} {name} rep {rep}: "
                                                      f"{cold['failed'] + warm['failed']} failed calls")

    # ---- the machine -----------------------------------------------------------------------

    def machine(self) -> dict:
        def run(cmd: list[str]) -> str:
            try:
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
                return (p.stdout + p.stderr).strip()
            except (OSError, subprocess.TimeoutExpired):
                return "unavailable"

        cpu = "unknown"
        try:
            with open("/proc/cpuinfo") as f:
                info = f.read()
            m = re.search(r"^model name\s*:\s*(.+)$", info, re.M)
            cpu = m.group(1).strip() if m else cpu
            mhz = re.search(r"^cpu MHz\s*:\s*([\d.]+)", info, re.M)
            if mhz:
                cpu += f", {float(mhz.group(1)):.0f} MHz"
            if re.search(r"^flags\s*:.*\bhypervisor\b", info, re.M):
                cpu += ", virtual machine"
        except OSError:
            pass
        mem = "unknown"
        try:
            with open("/proc/meminfo") as f:
                m = re.search(r"^MemTotal:\s*(\d+)", f.read(), re.M)
                mem = f"{int(m.group(1)) / 1024 / 1024:.1f} GiB" if m else mem
        except OSError:
            pass
        head = run(["git", "-C", str(REPO), "rev-parse", "HEAD"])
        dirty = run(["git", "-C", str(REPO), "status", "--porcelain", "--", "src", "catalog", "Cargo.toml", "Cargo.lock"])
        binary = self.lookout_source
        digest = hashlib.sha256(Path(self.lookout).read_bytes()).hexdigest()[:12]
        return {
            "nproc": os.cpu_count(),
            "cpu": cpu,
            "memory": mem,
            "kernel": platform.release(),
            "os": run(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
            "rustc": run(["rustc", "-V"]),
            "lookout": run([self.lookout, "--version"]),
            "lookout_binary": f"{binary} (built {dt.datetime.fromtimestamp(binary.stat().st_mtime, dt.timezone.utc):%Y-%m-%d %H:%M} UTC, sha256 {digest}…)",
            "commit": head[:12] + (" with uncommitted changes in src/ or catalog/" if dirty.strip() else ""),
            "thruk_mcp": self.args.thruk_mcp_version if self.thruk_mcp else "not run",
            "python": platform.python_version(),
            "wrk": run(["wrk", "-v"]).splitlines()[0] if shutil.which("wrk") else "missing",
            "nginx": run(["nginx", "-v"]).replace("nginx version: ", ""),
        }

    # ---- run --------------------------------------------------------------------------------

    def run(self) -> int:
        started = time.time()
        self.results["started"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        self.results["mode"] = "quick" if self.args.quick else "full"
        self.results["command"] = self.args.command
        self.results["machine"] = self.machine()
        self.results["load_before"] = os.getloadavg()
        self.results["busy_before"] = busy_processes()
        self.results["settings"] = {k: getattr(self.args, k) for k in
                                    ("duration", "reps", "conns", "breakdown_duration", "startup_runs",
                                     "stdio_calls", "burst", "upstream_delay_ms")}
        if not self.thruk_mcp:
            self.notes.append(f"thruk-mcp was not run: {self.args.thruk_mcp_note or 'not available'}")
        SAMPLER.start()
        try:
            self.setup()
        except (BenchError, OSError, subprocess.SubprocessError, ValueError, IndexError) as e:
            log(f"set-up failed, nothing was measured: {type(e).__name__}: {e}")
            log(f"logs: {self.run_dir / 'logs'}")
            return 2
        steps = [("tokens", self.measure_tokens), ("load", self.measure_load),
                 ("breakdown", self.measure_breakdown), ("stdio", self.measure_stdio), ("startup", self.measure_startup),
                 ("bursts", self.measure_bursts)]
        only = set(self.args.only.split(",")) if self.args.only else None
        for name, step in steps:
            if only and name not in only:
                continue
            try:
                step()
            except (BenchError, OSError, subprocess.SubprocessError, ValueError, KeyError) as e:
                msg = f"{name}: {type(e).__name__}: {e}"
                log(f"FAILED {msg}")
                self.results["errors"].append(msg)
        SAMPLER.stopped.set()
        self.results["samples"] = [{"t": round(t, 1), "load1": l, "busy": b} for t, l, b in SAMPLER.samples]
        self.results["load_after"] = os.getloadavg()
        self.results["busy_after"] = busy_processes()
        self.results["elapsed_s"] = round(time.time() - started, 1)
        PROCS.stop_all()
        (self.out / "results.json").write_text(json.dumps(self.results, indent=2))
        report = Report(self.results).render()
        (self.out / "report.md").write_text(report)
        print(report)
        log(f"report: {self.out / 'report.md'}, raw figures: {self.out / 'results.json'}, "
            f"{self.results['elapsed_s']:.0f} s")
        return 1 if self.results["errors"] else 0


class Sampler(threading.Thread):
    """Samples the load average and any build running, every second, so that each figure can
    say whether something else was competing for the CPU while it was taken."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[tuple[float, float, list[str]]] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(1.0):
            self.samples.append((time.time(), os.getloadavg()[0], busy_processes()))

    def busy_between(self, t0: float, t1: float) -> list[str]:
        seen: set[str] = set()
        for t, _, busy in self.samples:
            if t0 <= t <= t1:
                seen.update(b.split(" ")[0] for b in busy)
        return sorted(seen)


SAMPLER = Sampler()


def busy_processes() -> list[str]:
    """Builds and test runs (by process name) that would distort the figures."""
    try:
        p = subprocess.run(["pgrep", "-l", "-x", "cargo|rustc|cargo-nextest|nextest|rust-lld|cc|ld"],
                           capture_output=True, text=True)
    except OSError:
        return []
    counts: dict[str, int] = {}
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2:
            counts[parts[1]] = counts.get(parts[1], 0) + 1
    return [f"{name} ×{n}" for name, n in sorted(counts.items())]


# ------------------------------------------------------------------------------------------
# stdio client


class StdioClient:
    """A minimal MCP client over a child's stdin/stdout: newline-delimited JSON-RPC."""

    def __init__(self, cmd: list[str], env: dict, log_path: Path, timeout: float = 120) -> None:
        self.cmd, self.env, self.log_path, self.timeout = cmd, env, log_path, timeout
        self.next_id = 1

    def __enter__(self) -> "StdioClient":
        self.proc = PROCS.start(self.cmd, env=self.env, log_path=self.log_path,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.timer = threading.Timer(self.timeout, self.proc.kill)
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.cancel()
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        PROCS.stop(self.proc, timeout=5)
        self.proc.stdout.close()

    def send(self, message: dict) -> None:
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()

    def request(self, method: str, params: dict | None = None) -> dict:
        return self.timed_request(method, params)[0]

    def timed_request(self, method: str, params: dict | None = None) -> tuple[dict, float]:
        """The answer, and the seconds from sending the request to reading the answer's line
        (parsing it is this client's work, left out)."""
        rid = self.next_id
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        data = json.dumps(msg).encode() + b"\n"
        t0 = time.perf_counter()
        self.proc.stdin.write(data)
        self.proc.stdin.flush()
        while True:
            line = self.proc.stdout.readline()
            elapsed = time.perf_counter() - t0
            if not line:
                raise BenchError(f"{self.cmd[0]} closed stdout (exit {self.proc.poll()}); see {self.log_path}")
            try:
                answer = json.loads(line)
            except ValueError:
                raise BenchError(f"{self.cmd[0]} wrote a line that is not JSON: {line[:200]!r}")
            if answer.get("id") == rid:
                return answer, elapsed

    def initialize(self) -> None:
        answer = self.request("initialize", {"protocolVersion": PROTOCOL, "capabilities": {},
                                             "clientInfo": {"name": "lookout-bench", "version": "1"}})
        if "result" not in answer:
            raise BenchError(f"initialize failed: {json.dumps(answer)[:300]}")
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})


# ------------------------------------------------------------------------------------------
# report


class Report:
    def __init__(self, r: dict) -> None:
        self.r = r

    def render(self) -> str:
        r = self.r
        out = [f"# lookout benchmark report ({r['mode']} run, {r['started']})", ""]
        s = r["settings"]
        out.append(f"Command: `{r['command']}`. {s['duration']} s per load point, {s['reps']} repetition(s), "
                   f"connections {', '.join(map(str, s['conns']))}; figures are median (min–max) over the "
                   f"repetitions, ratios are taken within each repetition. Elapsed: {r.get('elapsed_s', 0):.0f} s.")
        out.append("")
        m = r["machine"]
        out.append(table(["Machine", ""], [[k, str(v)] for k, v in m.items()] + [
            ["load average before / after", f"{r['load_before'][0]:.2f} / {r.get('load_after', [0])[0]:.2f}"],
            ["builds or tests running (start / end)",
             f"{', '.join(r['busy_before']) or 'none'} / {', '.join(r.get('busy_after', [])) or 'none'}"],
            ["1-min load average during the run (min / median / max)", self._load_spread()],
            ["load runs with a build running alongside", self._disturbed()],
        ], "ll"))
        out.append("")
        if r["errors"]:
            out.append("**Errors during the run** (the figures they touch are not to be trusted):")
            out += [f"- {e}" for e in r["errors"]] + [""]
        if r["notes"]:
            out += [f"- {n}" for n in r["notes"]] + [""]
        for section in (self.load, self.stdio, self.breakdown, self.startup, self.memory, self.tokens, self.bursts):
            try:
                text = section()
            except (KeyError, TypeError, ValueError, ZeroDivisionError) as e:
                text = f"({section.__name__}: not available: {type(e).__name__} {e})"
            if text:
                out += [text, ""]
        return "\n".join(out)

    def _load_spread(self) -> str:
        loads = [x["load1"] for x in self.r.get("samples", [])]
        if not loads:
            return "–"
        return f"{min(loads):.2f} / {statistics.median(loads):.2f} / {max(loads):.2f}"

    def _disturbed(self) -> str:
        runs = (self.r.get("load") or {}).get("runs", [])
        hit = [x for x in runs if x.get("busy")]
        if not runs:
            return "–"
        if not hit:
            return f"none of {len(runs)}"
        return f"{len(hit)} of {len(runs)} (" + ", ".join(
            f"{x['target']} c={x['conns']} rep {x['rep']}" for x in hit[:8]) + (", ..." if len(hit) > 8 else "") + ")"

    def _runs(self, target: str, conns: int) -> list[dict]:
        return [x for x in self.r["load"]["runs"] if x["target"] == target and x["conns"] == conns]

    def _ratio(self, a: str, b: str, conns: int, key: str) -> dict | None:
        ra = {x["rep"]: x for x in self._runs(a, conns)}
        rb = {x["rep"]: x for x in self._runs(b, conns)}
        vals = [ra[k][key] / rb[k][key] for k in ra if k in rb and rb[k][key]]
        return spread(vals)

    def load(self) -> str:
        L = self.r.get("load")
        if not L:
            return ""
        labels = L["labels"]
        out = ["## 1. Overhead next to a direct call (HTTP, `tools/call thruk_list_hosts`, 50 rows)", "",
               f"Upstream request: `GET {L['upstream_uri']}` (nginx, fixture file). "
               "CPU ms/call: the server process's user+system time over the calls answered (nginx's for "
               "the direct row). Upstream req/call: requests nginx counted over calls answered, a check "
               "that each call is one upstream request (calls still in flight when wrk stops reach nginx "
               "but are not counted as answered, so a slow server shows a little above 1).", ""]
        rows = []
        for conns in L["conns"]:
            for target in labels:
                runs = self._runs(target, conns)
                if not runs:
                    continue
                cpu_key = "nginx_cpu_s" if target == "direct" else "server_cpu_s"
                cpu = spread([x[cpu_key] * 1000 / x["requests"] for x in runs if x.get(cpu_key) is not None and x["requests"]])
                errors = sum(x["http_errors"] + x["rpc_errors"] + x["tool_errors"] + x["bad_bodies"] + x["socket_errors"] for x in runs)
                up = spread([x["upstream_requests"] / x["requests"] for x in runs if x["requests"]])
                rows.append([str(conns), labels[target],
                             fmt(spread([x["rps"] for x in runs])),
                             fmt(spread([x["p50_ms"] for x in runs])),
                             fmt(spread([x["p99_ms"] for x in runs])),
                             "1" if target == "direct" else fmt_ratio(self._ratio(target, "direct", conns, "rps")),
                             "1" if target == "direct" else fmt_ratio(self._ratio(target, "direct", conns, "p50_ms")),
                             fmt(cpu, 3), f"{up['median']:.2f}" if up else "–", str(errors)])
        out.append(table(["conns", "target", "req/s", "p50 ms", "p99 ms", "req/s ÷ direct", "p50 ÷ direct",
                          "CPU ms/call", "upstream req/call", "errors"], rows, "rlrrrrrrrr"))
        out.append("")
        if "thruk-mcp" in labels:
            rows = []
            for conns in L["conns"]:
                for other in ("thruk-mcp", "thruk-mcp-sessions"):
                    if not self._runs(other, conns):
                        continue
                    rows.append([str(conns), labels[other],
                                 fmt_ratio(self._ratio("lookout", other, conns, "rps")),
                                 fmt_ratio(self._ratio(other, "lookout", conns, "p50_ms")),
                                 fmt_ratio(self._ratio(other, "lookout", conns, "p99_ms"))])
            out += ["lookout against thruk-mcp, same run, same load:", "",
                    table(["conns", "against", "lookout req/s ÷ theirs", "their p50 ÷ lookout's",
                           "their p99 ÷ lookout's"], rows, "rlrrr"), ""]
        added = [self._added(conns) for conns in L["conns"]]
        out.append("Latency lookout adds to the direct call (p50 lookout − p50 direct, per repetition): "
                   + "; ".join(f"c={c}: {fmt(a, 3, ' ms')}" for c, a in zip(L["conns"], added) if a))
        return "\n".join(out)

    def _added(self, conns: int) -> dict | None:
        ra = {x["rep"]: x for x in self._runs("lookout", conns)}
        rb = {x["rep"]: x for x in self._runs("direct", conns)}
        return spread([ra[k]["p50_ms"] - rb[k]["p50_ms"] for k in ra if k in rb])

    def breakdown(self) -> str:
        B = self.r.get("breakdown")
        if not B:
            return ""
        rows = []
        cpu: dict = {}
        for key, label in B["labels"].items():
            runs = [x for x in B["runs"] if x["case"] == key]
            if not runs:
                continue
            cpu[key] = spread([x["server_cpu_s"] * 1000 / x["requests"] for x in runs if x["requests"]])
            rows.append([label, fmt(spread([x["rps"] for x in runs])), fmt(spread([x["p50_ms"] for x in runs]), 3),
                         fmt(cpu[key], 3), f"{statistics.median(x['bytes'] / x['requests'] for x in runs if x['requests']):,.0f}"])
        out = [f"## 1c. Where lookout's time goes (1 connection, {self.r['settings']['breakdown_duration']} s per kind)", "",
               "Requests of growing weight; the differences between rows are the cost of each layer.", "",
               table(["request", "req/s", "p50 ms", "CPU ms/call", "answer bytes"], rows)]
        if "call_1" in cpu and "call_50" in cpu and cpu["call_1"] and cpu["call_50"]:
            per_row = (cpu["call_50"]["median"] - cpu["call_1"]["median"]) / 49 * 1000
            fixed = cpu["call_1"]["median"] - (cpu["ping"]["median"] if cpu.get("ping") else 0)
            out += ["", f"From the medians: a tool call costs {fixed:.3f} ms of CPU beyond `ping` (dispatch, "
                        f"argument checks, the upstream request through reqwest), plus about {per_row:.1f} µs per "
                        "row (parse the upstream answer, size it against the budget, serialize it as "
                        "`structuredContent` and again as text, frame the JSON-RPC answer)."]
        return "\n".join(out)

    def stdio(self) -> str:
        S = self.r.get("stdio")
        if not S:
            return ""
        labels = {"direct": "direct GET (Python http.client, kept alive)", "lookout": "lookout (stdio)",
                  "thruk-mcp": "thruk-mcp (stdio)"}
        rows = []
        for k, runs in S.items():
            if not runs:
                continue
            base = {i: x for i, x in enumerate(S["direct"])}
            ratio = spread([x["p50_ms"] / base[i]["p50_ms"] for i, x in enumerate(runs) if i in base])
            rows.append([labels[k], str(runs[0]["calls"]), fmt(spread([x["p50_ms"] for x in runs]), 3),
                         fmt(spread([x["p99_ms"] for x in runs]), 3), fmt(spread([x["mean_ms"] for x in runs]), 3),
                         "1" if k == "direct" else fmt_ratio(ratio)])
        out = ["## 1b. Sequential calls over stdio (`thruk_list_hosts`, 50 rows, one call at a time)", "",
               table(["client → server", "calls", "p50 ms", "p99 ms", "mean ms", "p50 ÷ direct"], rows)]
        if S.get("lookout") and S.get("thruk-mcp"):
            ratio = spread([t["p50_ms"] / l["p50_ms"] for l, t in zip(S["lookout"], S["thruk-mcp"])])
            out += ["", f"thruk-mcp p50 ÷ lookout p50 over stdio: {fmt_ratio(ratio)}"]
        return "\n".join(out)

    def startup(self) -> str:
        S = self.r.get("startup")
        if not S:
            return ""
        rows = []
        for k, v in S.items():
            rows.append([k, str(len(v["tools_list_ms"])), fmt(spread(v["tools_list_ms"]), unit=" ms"),
                         fmt(spread(v["one_shot_ms"]), unit=" ms")])
        out = ["## 2. Start-up over stdio", "",
               "Spawn → `initialize` → first `tools/list` answer; and a one-shot session as the Docker MCP "
               "Gateway runs one per call by default: spawn → `initialize` → one `tools/call "
               "thruk_list_hosts` → exit.", "",
               table(["server", "runs", "spawn → tools/list", "spawn → one call → exit"], rows)]
        if "lookout" in S and "thruk-mcp" in S:
            a = statistics.median(S["thruk-mcp"]["tools_list_ms"]) / statistics.median(S["lookout"]["tools_list_ms"])
            b = statistics.median(S["thruk-mcp"]["one_shot_ms"]) / statistics.median(S["lookout"]["one_shot_ms"])
            out += ["", f"thruk-mcp ÷ lookout (medians): start-up {a:.1f}×, one-shot call {b:.1f}×."]
        return "\n".join(out)

    def memory(self) -> str:
        M = self.r.get("memory_http")
        S = self.r.get("startup") or {}
        if not M and not S:
            return ""

        def mib(kib: float | None) -> str:
            return "–" if kib is None else f"{kib / 1024:.1f}"

        def med(values: list) -> float | None:
            values = [v for v in values if v]
            return statistics.median(values) if values else None

        rows = []
        for k in ("lookout", "thruk-mcp", "thruk-mcp-sessions"):
            st = S.get(k, {})
            m = (M or {}).get(k)
            if not m and not st:
                continue
            idle = m["idle"] if m else {}
            after = m.get("after_load", {}) if m else {}
            rows.append([m["label"] if m else k,
                         f"{mib(med(st.get('hwm_kib', [])))} ({mib(med(st.get('anon_kib', [])))})" if st else "–",
                         f"{mib(idle.get('VmHWM'))} ({mib(idle.get('RssAnon'))})" if m else "–",
                         mib(after.get("VmHWM")) if m else "–",
                         f"{mib(after.get('VmRSS'))} ({mib(after.get('RssAnon'))})" if m else "–"])
        return "\n".join(["## 3. Memory, MiB: peak resident set (VmHWM), and in parentheses its anonymous part", "",
                          "The anonymous part (RssAnon: heap and stacks) is the process's own memory; the rest is "
                          "file-backed, mostly pages of the executable or the interpreter and its libraries, shared "
                          "and evictable. stdio idle: after start + `tools/list` (median over the start-up runs). "
                          "HTTP idle: the load servers after start + `tools/list`. Under load: after all load runs; "
                          "VmHWM is a peak, so it covers the 64-connection run.", "",
                          table(["server", "stdio idle", "HTTP idle", "HTTP peak under load", "HTTP after load"], rows)])

    def tokens(self) -> str:
        T = self.r.get("tokens")
        if not T:
            return ""
        rows = []
        for k, v in T.items():
            if k == "upstream" or "tools_list" not in v:
                continue
            rows.append([v["label"], str(v["tools_list"]["tools"]), f"{v['tools_list']['bytes']:,}",
                         f"{v['tools_list']['bytes'] / v['tools_list']['tools']:,.0f}"])
        out = ["## 4. Tokens (bytes an assistant reads)", "", "`tools/list` answer:", "",
               table(["server", "tools", "bytes", "bytes per tool"], rows), "",
               "`thruk_list_hosts` with `limit: 1000` on a 1,000-host estate (the upstream's own answer is "
               f"{T['upstream']['default_columns']:,} bytes with the default columns, "
               f"{T['upstream']['all_columns']:,} with all):", ""]
        rows = []
        for k, v in T.items():
            if k == "upstream" or "default_columns" not in v:
                continue
            for case, label in (("default_columns", "default columns"), ("all_columns", 'all columns (`columns: ""`)')):
                c = v[case]
                rows.append([v["label"], label, str(c["rows"]), "yes" if c["truncated"] else "no",
                             f"{c['bytes']:,}", f"{c['text_bytes']:,}", f"{c['structured_bytes']:,}"])
        out.append(table(["server", "columns", "rows", "cut to budget", "answer bytes", "text content bytes",
                          "structuredContent bytes"], rows, "llrlrrr"))
        return "\n".join(out)

    def bursts(self) -> str:
        B = self.r.get("bursts")
        if not B:
            return ""
        s = self.r["settings"]
        rows = []
        for tool in ("thruk_list_hosts", "thruk_sites"):
            for config, label in B["labels"].items():
                runs = [x for x in B["runs"] if x["tool"] == tool and x["config"] == config]
                if not runs:
                    continue
                rows.append([f"`{tool}`", label,
                             fmt(spread([x["cold"]["upstream_requests"] for x in runs]), 0),
                             fmt(spread([x["warm"]["upstream_requests"] for x in runs]), 0),
                             fmt(spread([x["cold"]["p50_ms"] for x in runs]), 0),
                             fmt(spread([x["cold"]["max_ms"] for x in runs]), 0),
                             fmt(spread([x["warm"]["p50_ms"] for x in runs]), 0),
                             str(sum(x["cold"]["failed"] + x["warm"]["failed"] for x in runs))])
        return "\n".join([
            f"## 5. Cache and coalescing: a burst of {s['burst']} identical concurrent calls", "",
            f"The upstream takes {s['upstream_delay_ms']} ms per answer (nginx waits for delay_server.py). "
            "Each server starts fresh; a first burst (cold), then a second one right after (warm). Upstream "
            "requests are counted in nginx's access log.", "",
            table(["tool", "server", "upstream requests, 1st burst", "upstream requests, 2nd burst",
                   "1st burst p50 ms", "1st burst max ms", "2nd burst p50 ms", "failed"], rows, "llrrrrrr")])


# ------------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lookout-bin", required=True)
    ap.add_argument("--thruk-mcp", default="", help="the thruk-mcp executable (empty: not run)")
    ap.add_argument("--thruk-mcp-version", default="")
    ap.add_argument("--thruk-mcp-note", default="", help="why thruk-mcp is not run")
    ap.add_argument("--out", default=str(REPO / "target" / "bench"))
    ap.add_argument("--quick", action="store_true", help="3 s per point, 1 repetition, fewer spawns")
    ap.add_argument("--duration", type=int, help="seconds per load point (default 10, quick 3)")
    ap.add_argument("--reps", type=int, help="repetitions (default 3, quick 1)")
    ap.add_argument("--conns", default="1,16,64", help="connection counts (at most 64)")
    ap.add_argument("--startup-runs", type=int, help="spawns per server (default 20, quick 5)")
    ap.add_argument("--stdio-calls", type=int, help="sequential stdio calls per session (default 500, quick 100)")
    ap.add_argument("--burst", type=int, default=64, help="identical concurrent calls in a burst (at most 64)")
    ap.add_argument("--upstream-delay-ms", type=int, default=100, help="upstream answer time in the bursts")
    ap.add_argument("--breakdown-duration", type=int, help="seconds per breakdown point (default 5, quick 2)")
    ap.add_argument("--only", default="", help="comma list of steps: tokens,load,breakdown,stdio,startup,bursts")
    ap.add_argument("--command", default="python3 bench/run.py")
    a = ap.parse_args()
    a.duration = a.duration or (3 if a.quick else 10)
    a.reps = a.reps or (1 if a.quick else 3)
    a.startup_runs = a.startup_runs or (5 if a.quick else 20)
    a.stdio_calls = a.stdio_calls or (100 if a.quick else 300)
    a.breakdown_duration = a.breakdown_duration or (2 if a.quick else 5)
    a.conns = [int(c) for c in a.conns.split(",") if c.strip()]
    if any(c < 1 or c > 64 for c in a.conns) or not 1 <= a.burst <= 64:
        ap.error("connections and burst size must be 1..64")
    if not 1 <= a.duration <= 60 or not 1 <= a.reps <= 10:
        ap.error("--duration must be 1..60 s and --reps 1..10")
    return Bench(a).run()


if __name__ == "__main__":
    sys.exit(main())
