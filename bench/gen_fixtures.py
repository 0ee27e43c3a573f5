#!/usr/bin/env python3
"""Writes the Thruk-shaped upstream fixtures the benchmark's nginx serves.

A deterministic estate of HOSTS hosts (1,000 by default) in the shape of Thruk's REST
`/hosts` rows: every column of `fixtures/thruk/host.json`, the row the demo backend and
the tests use, with realistic values (names, addresses, outputs, performance data,
groups, parents, custom variables, a few problems, acknowledgements and downtimes, two
sites). Thruk answers `/hosts` with a plain JSON list and no paging headers.

nginx picks a file by the request's `limit` and whether it names `columns`:

    hosts-<limit>-default.json   the default columns of thruk_list_hosts, <limit> rows
    hosts-<limit>-all.json       every column, <limit> rows

for each limit in LIMITS, plus `sites.json` for `/sites`. The default columns are read
from catalog/thruk/catalog.yaml (`&host_columns`), so they follow the catalog.

Usage: gen_fixtures.py OUT_DIR [--hosts N]
"""

import argparse
import json
import random
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIMITS = (1, 50, 1000)
NOW = 1_795_000_000  # a fixed "now", so the files do not change from run to run

FALLBACK_DEFAULT_COLUMNS = [
    "name", "state", "plugin_output", "last_check", "last_state_change", "acknowledged",
    "scheduled_downtime_depth", "notifications_enabled", "current_attempt",
    "max_check_attempts", "peer_name",
]

ROLES = [
    # (prefix, hostgroups, check_command, number of services)
    ("web", ["web", "linux", "prod"], "check-host-alive", 14),
    ("app", ["app", "linux", "prod"], "check-host-alive", 18),
    ("db", ["database", "linux", "prod"], "check-host-alive", 22),
    ("cache", ["cache", "linux", "prod"], "check-host-alive", 9),
    ("k8s-node", ["kubernetes", "linux", "prod"], "check-host-alive", 26),
    ("lb", ["network", "prod"], "check-host-alive", 7),
    ("sw", ["network", "switches"], "check_snmp_host", 5),
    ("fw", ["network", "firewalls"], "check_snmp_host", 6),
    ("win", ["windows", "prod"], "check-host-alive", 16),
    ("stg", ["linux", "staging"], "check-host-alive", 11),
]
SITES = [("site-01", "abcd1"), ("site-02", "efgh2")]
OWNERS = ["team-web", "team-data", "team-net", "team-platform", "team-windows"]


def default_columns() -> list[str]:
    catalog = REPO / "catalog" / "thruk" / "catalog.yaml"
    try:
        text = catalog.read_text(encoding="utf-8")
    except OSError:
        return FALLBACK_DEFAULT_COLUMNS
    m = re.search(r"&host_columns\s*\[([^\]]*)\]", text)
    if not m:
        return FALLBACK_DEFAULT_COLUMNS
    return [c.strip() for c in m.group(1).split(",") if c.strip()]


def template_row() -> dict:
    path = REPO / "fixtures" / "thruk" / "host.json"
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def make_hosts(n: int) -> list[dict]:
    rng = random.Random(20261121)
    template = template_row()
    per_role = -(-n // len(ROLES))
    hosts = []
    names_by_role: dict[str, list[str]] = {}
    for prefix, *_ in ROLES:
        names_by_role[prefix] = [f"{prefix}-{i:03d}" for i in range(1, per_role + 1)]
    all_names = sorted(name for names in names_by_role.values() for name in names)[:n]
    role_of = {name: role for role in ROLES for name in names_by_role[role[0]]}
    for idx, name in enumerate(all_names):
        prefix, groups, check_command, nsvc = role_of[name]
        number = int(name.rsplit("-", 1)[1])
        site, peer_key = SITES[number % 2]
        row = dict(template)
        address = f"10.{20 + ROLES.index(role_of[name])}.{number // 200}.{number % 200 + 10}"
        roll = rng.random()
        state = 0
        if roll < 0.03:
            state = 1
        elif roll < 0.04:
            state = 2
        rta = rng.uniform(0.2, 4.0)
        if state == 0:
            output = f"OK - {address} rta {rta:.3f}ms, lost 0%"
            perf = f"rta={rta:.6f}ms;3000.000000;5000.000000;0.000000 pl=0%;80;100;0"
        elif state == 1:
            output = f"CRITICAL - {address}: rta nan, lost 100%"
            perf = "rta=0.000000ms;3000.000000;5000.000000;0.000000 pl=100%;80;100;0"
        else:
            output = f"UNREACHABLE - parent of {name} is down"
            perf = ""
        last_check = NOW - rng.randint(0, 300)
        last_state_change = NOW - rng.randint(3600, 90 * 86400)
        acknowledged = 1 if state and rng.random() < 0.4 else 0
        in_downtime = 1 if rng.random() < 0.02 else 0
        crit = rng.randint(0, 2) if state else (1 if rng.random() < 0.05 else 0)
        warn = rng.randint(0, 3)
        owner = OWNERS[ROLES.index(role_of[name]) % len(OWNERS)]
        env = "staging" if prefix == "stg" else "prod"
        parent = [] if prefix in ("sw", "fw") else [f"sw-{(number % 20) + 1:03d}"]
        row.update({
            "name": name,
            "address": address,
            "alias": f"{name} ({owner})",
            "display_name": name,
            "state": state,
            "state_type": 1,
            "has_been_checked": 1,
            "plugin_output": output,
            "long_plugin_output": "",
            "perf_data": perf,
            "last_check": last_check,
            "next_check": last_check + 300,
            "last_state_change": last_state_change,
            "last_notification": last_state_change + 60 if state else 0,
            "last_time_up": last_check if state == 0 else last_state_change - 1,
            "last_time_down": last_check if state == 1 else 0,
            "last_time_unreachable": last_check if state == 2 else 0,
            "current_attempt": 3 if state else 1,
            "max_check_attempts": 3,
            "check_interval": 5,
            "retry_interval": 1,
            "check_type": 0,
            "active_checks_enabled": 1,
            "accept_passive_checks": 1,
            "notifications_enabled": 0 if rng.random() < 0.01 else 1,
            "acknowledged": acknowledged,
            "acknowledgement_type": 2 if acknowledged else 0,
            "scheduled_downtime_depth": in_downtime,
            "is_flapping": 1 if rng.random() < 0.005 else 0,
            "is_executing": 0,
            "latency": round(rng.uniform(0.001, 0.3), 3),
            "execution_time": round(rng.uniform(0.01, 2.0), 3),
            "percent_state_change": round(rng.uniform(0, 12), 2) if rng.random() < 0.1 else 0.0,
            "groups": groups,
            "parents": parent,
            "childs": [],
            "contacts": ["oncall"],
            "contact_groups": ["admins", owner],
            "custom_variable_names": ["ENV", "OWNER", "RACK"],
            "custom_variable_values": [env, owner, f"r{number % 40:02d}"],
            "custom_variables": {"ENV": env, "OWNER": owner, "RACK": f"r{number % 40:02d}"},
            "comments": [100000 + idx] if acknowledged else [],
            "num_services": nsvc,
            "num_services_ok": max(nsvc - crit - warn, 0),
            "num_services_warn": warn,
            "num_services_crit": crit,
            "num_services_unknown": 0,
            "num_services_pending": 0,
            "check_command": check_command,
            "check_period": "24x7",
            "notification_period": "24x7",
            "in_check_period": 1,
            "in_notification_period": 1,
            "notes": "",
            "notes_url": f"https://wiki.example.com/hosts/{name}",
            "action_url": "",
            "icon_image": "",
            "peer_key": peer_key,
            "peer_name": site,
            "peer_section": "Default",
        })
        missing = set(row) - set(template)
        assert not missing, f"columns not in fixtures/thruk/host.json: {missing}"
        hosts.append(row)
    return hosts


def make_sites() -> list[dict]:
    path = REPO / "fixtures" / "thruk" / "site.json"
    with path.open(encoding="utf-8") as f:
        template = json.load(f)
    sites = []
    for i, (name, key) in enumerate(SITES):
        row = dict(template)
        row.update({"name": name, "id": key, "addr": f"10.0.0.{i + 1}:6557", "localtime": NOW})
        sites.append(row)
    return sites


def dump(path: Path, data) -> int:
    text = json.dumps(data, separators=(",", ":"))
    path.write_text(text, encoding="utf-8")
    return len(text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--hosts", type=int, default=1000)
    args = ap.parse_args()
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    hosts = make_hosts(args.hosts)
    cols = default_columns()
    sizes = {}
    for limit in LIMITS:
        page = hosts[:limit]
        sizes[f"hosts-{limit}-all.json"] = dump(out / f"hosts-{limit}-all.json", page)
        projected = [{c: row[c] for c in cols if c in row} for row in page]
        sizes[f"hosts-{limit}-default.json"] = dump(out / f"hosts-{limit}-default.json", projected)
    sizes["sites.json"] = dump(out / "sites.json", make_sites())
    meta = {"hosts": len(hosts), "default_columns": cols, "limits": list(LIMITS), "bytes": sizes}
    (out / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    print(json.dumps(meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
