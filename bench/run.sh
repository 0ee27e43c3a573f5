#!/usr/bin/env bash
# lookout's benchmark in one command: bash bench/run.sh [--quick] [options]
#
# Builds lookout (cargo build --release --locked), installs the Python thruk-mcp into a
# throw-away virtual environment under target/bench/, and runs bench/run.py, which starts a
# Thruk-shaped nginx upstream on loopback and measures lookout next to a direct call and
# next to thruk-mcp. The report goes to target/bench/report.md (and is printed), the raw
# figures to target/bench/results.json. BENCHMARKS.md explains the figures.
#
# Options (anything else is passed on to bench/run.py; see python3 bench/run.py --help):
#   --quick           3 s per load point, 1 repetition, fewer spawns (a few minutes)
#   --no-build        do not run cargo; use target/release/lookout as it is
#   --no-thruk-mcp    measure lookout only
#   -h, --help        this text
# Environment:
#   LOOKOUT_BIN=path       use this lookout binary (implies --no-build)
#   THRUK_MCP_VERSION=v    the thruk-mcp release to compare with (default below)
#   THRUK_MCP_BIN=path     use this thruk-mcp executable instead of installing one
#   PYTHON=python3         the Python (3.10 or newer) for the script and the venv
#
# Needs wrk and nginx (Debian/Ubuntu: apt-get install -y wrk nginx-light) and Python 3.10+.
# Loopback only; a full run takes about 10 minutes on 2 cores and is bounded in load
# (at most 64 connections, 10 s per point).
set -euo pipefail

THRUK_MCP_DEFAULT_VERSION=2.1.0
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
OUT=$REPO/target/bench
PYTHON=${PYTHON:-python3}
export PATH="$PATH:/usr/sbin:/sbin"

BUILD=1
THRUK_MCP=1
PASS=()
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=0 ;;
    --no-thruk-mcp) THRUK_MCP=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) PASS+=("$arg") ;;
  esac
done

die() { echo "bench: $*" >&2; exit 2; }

# ---- tools ---------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  die "missing: ${missing[*]}. On Debian or Ubuntu: apt-get install -y ${missing[*]}"
fi
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null \
  || die "$PYTHON is missing or older than 3.10 (set PYTHON=...)"
nginx -V 2>&1 | grep -q -- --with-http_auth_request_module \
  || die "this nginx lacks the auth_request module (Debian's nginx-light has it)"
nginx -V 2>&1 | grep -q -- --with-http_stub_status_module \
  || die "this nginx lacks the stub_status module (Debian's nginx-light has it)"

# ---- lookout --------------------------------------------------------------------------------
if [ -n "${LOOKOUT_BIN:-}" ]; then
  BIN=$LOOKOUT_BIN
elif [ "$BUILD" = 1 ]; then
  echo "bench: cargo build --release --locked" >&2
  cargo build --release --locked
  BIN=$REPO/target/release/lookout
else
  BIN=$REPO/target/release/lookout
fi
[ -x "$BIN" ] || die "no lookout binary at $BIN (build it, or set LOOKOUT_BIN=...)"

# ---- thruk-mcp, in a throw-away virtual environment -------------------------------------------
TM_BIN=""
TM_VERSION=""
TM_NOTE=""
if [ "$THRUK_MCP" = 0 ]; then
  TM_NOTE="--no-thruk-mcp was given"
elif [ -n "${THRUK_MCP_BIN:-}" ]; then
  TM_BIN=$THRUK_MCP_BIN
  TM_VERSION="$("$(dirname "$TM_BIN")/python" -c 'import importlib.metadata as m; print(m.version("thruk-mcp"))' 2>/dev/null || echo unknown)"
else
  TM_VERSION=${THRUK_MCP_VERSION:-$THRUK_MCP_DEFAULT_VERSION}
  VENV=$OUT/venv-thruk-mcp-$TM_VERSION
  if [ ! -x "$VENV/bin/thruk-mcp" ]; then
    echo "bench: installing thruk-mcp $TM_VERSION into $VENV" >&2
    rm -rf "$VENV"
    mkdir -p "$OUT"
    if ! { "$PYTHON" -m venv "$VENV" && "$VENV/bin/python" -m pip install -q "thruk-mcp==$TM_VERSION"; } >"$OUT/thruk-mcp-install.log" 2>&1; then
      TM_NOTE="pip install thruk-mcp==$TM_VERSION failed (see $OUT/thruk-mcp-install.log)"
      echo "bench: $TM_NOTE; carrying on with lookout's figures only" >&2
      rm -rf "$VENV"
    fi
  fi
  [ -x "$VENV/bin/thruk-mcp" ] && TM_BIN=$VENV/bin/thruk-mcp
fi
if [ -n "$TM_BIN" ] && ! "$TM_BIN" --help >/dev/null 2>&1; then
  TM_NOTE="$TM_BIN --help failed"
  echo "bench: $TM_NOTE; carrying on with lookout's figures only" >&2
  TM_BIN=""
fi

SHOWN="bash bench/run.sh${*:+ $*}"
[ -n "${LOOKOUT_BIN:-}" ] && SHOWN="LOOKOUT_BIN=$LOOKOUT_BIN $SHOWN"
exec "$PYTHON" "$REPO/bench/run.py" --lookout-bin "$BIN" --thruk-mcp "$TM_BIN" \
  --thruk-mcp-version "$TM_VERSION" --thruk-mcp-note "$TM_NOTE" --out "$OUT" \
  --command "$SHOWN" ${PASS[@]+"${PASS[@]}"}
