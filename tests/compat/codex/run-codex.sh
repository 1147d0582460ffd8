#!/usr/bin/env bash
# Runs the real Codex CLI (`codex exec`, pinned in package.json) against a live Loopwire server over
# WebSocket mode, inside a network namespace that has only loopback: nothing Codex tries to reach outside
# 127.0.0.1 can leave the machine.
#
# Step 1 (outside): re-executes itself under `unshare -n` (needs root or CAP_SYS_ADMIN).
# Step 2 (inside):  brings `lo` up, starts `loopwire serve --port 0 --store memory` in the background and waits
#                   for its "Loopwire listening on" line.
# Step 3:           writes a throw-away CODEX_HOME/config.toml (custom provider on that server, wire_api
#                   "responses", supports_websockets, no web search, approval never, no sandbox) and runs
#                   `codex exec` with a prompt that names Codex's shell tool, so the simulated model calls it
#                   once and then answers: two model turns, the second chained with previous_response_id.
# Step 4:           prints Codex's output and final message, the server log and the server's turn records
#                   (one line "LOOPWIRE_TURNS <json>" from GET /loopwire/v1/turns), and checks: codex exit 0,
#                   a final message, >= 2 WebSocket turns, >= 1 served from the connection cache, no turn over
#                   HTTP. Exits non-zero on any failure; always stops the server.
#
# Environment: LOOPWIRE_DLL (default: src/Loopwire.Cli/bin/Debug/net10.0/loopwire.dll), LOOPWIRE_DOTNET
# (default: dotnet), CODEX_TIMEOUT_SECONDS (default 300), SERVER_START_TIMEOUT_SECONDS (default 120),
# CODEX_SHELL_TOOL (the tool name the prompt names; default exec_command).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

if [[ "${LOOPWIRE_CODEX_IN_NETNS:-}" != 1 ]]; then
    if [[ ! -x "$here/node_modules/.bin/codex" ]]; then
        echo "run-codex.sh: $here/node_modules/.bin/codex is missing: run 'npm ci' in tests/compat/codex first." >&2
        exit 2
    fi
    if ! command -v unshare >/dev/null || ! command -v ip >/dev/null; then
        echo "run-codex.sh: needs 'unshare' (util-linux) and 'ip' (iproute2) on PATH." >&2
        exit 2
    fi
    if ! unshare -n true 2>/dev/null; then
        echo "run-codex.sh: 'unshare -n' is not permitted here (uid $(id -u)); run as root (CI does) so Codex runs in a loopback-only network namespace." >&2
        exit 2
    fi
    exec unshare -n -- env LOOPWIRE_CODEX_IN_NETNS=1 bash "${BASH_SOURCE[0]}" "$@"
fi

# ---- inside the namespace -------------------------------------------------------------------------------
ip link set lo up

dll="${LOOPWIRE_DLL:-$root/src/Loopwire.Cli/bin/Debug/net10.0/loopwire.dll}"
dotnet_host="${LOOPWIRE_DOTNET:-dotnet}"
codex_timeout="${CODEX_TIMEOUT_SECONDS:-300}"
start_timeout="${SERVER_START_TIMEOUT_SECONDS:-120}"
shell_tool="${CODEX_SHELL_TOOL:-exec_command}"
if [[ ! -f "$dll" ]]; then
    echo "run-codex.sh: $dll does not exist: build Loopwire.slnx first." >&2
    exit 2
fi

tmp="$(mktemp -d -t loopwire-codex.XXXXXX)"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# Step 2: the server, on a port the OS picks. Request logging at Information shows each HTTP request Codex makes.
env 'Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics=Information' \
    "$dotnet_host" "$dll" serve --port 0 --host 127.0.0.1 --store memory >"$tmp/server.log" 2>&1 &
server_pid=$!
address=""
for _ in $(seq $((start_timeout * 10))); do
    address="$(grep -oE 'Loopwire listening on http://[^ ]+' "$tmp/server.log" | head -n1 | sed 's/^Loopwire listening on //')" || true
    [[ -n "$address" ]] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    sleep 0.1
done
if [[ -z "$address" ]]; then
    echo "run-codex.sh: the server did not print 'Loopwire listening on' within ${start_timeout}s. Its output:" >&2
    cat "$tmp/server.log" >&2
    exit 1
fi
echo "== Loopwire server at $address (inside a loopback-only network namespace)"

# Step 3: Codex's own home, config and working directory, all throw-away.
mkdir -p "$tmp/codex-home" "$tmp/home" "$tmp/work"
cat >"$tmp/codex-home/config.toml" <<EOF
model = "sim-gpt5"
model_provider = "loopwire"
approval_policy = "never"
sandbox_mode = "danger-full-access"
web_search = "disabled"
check_for_update_on_startup = false

[model_providers.loopwire]
name = "Loopwire"
base_url = "$address/v1"
env_key = "LOOPWIRE_API_KEY"
wire_api = "responses"
supports_websockets = true
request_max_retries = 0
stream_max_retries = 0
stream_idle_timeout_ms = 60000
websocket_connect_timeout_ms = 15000

[analytics]
enabled = false
EOF
echo "== CODEX_HOME/config.toml"
cat "$tmp/codex-home/config.toml"

prompt="Call the $shell_tool tool once, then say that you are done."
echo "== codex exec (timeout ${codex_timeout}s): $prompt"
set +e
HOME="$tmp/home" CODEX_HOME="$tmp/codex-home" LOOPWIRE_API_KEY="sk-loopwire-dummy" RUST_LOG="${RUST_LOG:-warn}" \
    timeout --kill-after=10 "$codex_timeout" "$here/node_modules/.bin/codex" exec \
        --skip-git-repo-check --ephemeral --color never \
        -C "$tmp/work" -o "$tmp/last-message.txt" \
        "$prompt" </dev/null 2>&1
codex_exit=$?
set -e
echo "CODEX_EXIT_CODE $codex_exit"

last_message=""
[[ -f "$tmp/last-message.txt" ]] && last_message="$(cat "$tmp/last-message.txt")"
echo "== codex final message (-o):"
echo "$last_message"
echo "CODEX_FINAL_MESSAGE_CHARS ${#last_message}"

# Step 4: the server's own record of what it served, then its log (which shows every HTTP request Codex made).
turns="$(node -e '
fetch(process.argv[1] + "/loopwire/v1/turns").then(async r => {
  if (!r.ok) { console.error("GET /loopwire/v1/turns: HTTP " + r.status); process.exit(1); }
  process.stdout.write(JSON.stringify(await r.json()));
}).catch(e => { console.error(String(e)); process.exit(1); });' "$address")" || turns='{"data":[]}'
echo "== server log"
cat "$tmp/server.log"
echo "LOOPWIRE_TURNS $turns"

read -r ws_turns cached_turns other_turns < <(node -e '
const turns = JSON.parse(process.argv[1]).data ?? [];
const ws = turns.filter(t => t.transport === "ws" && t.status === "completed");
console.log(ws.length + " " + ws.filter(t => t.from_cache).length + " " + turns.filter(t => t.transport !== "ws").length);' "$turns")
echo "== completed WebSocket turns: $ws_turns, served from the connection cache: $cached_turns, over other transports: $other_turns"

failed=0
if [[ "$codex_exit" -ne 0 ]]; then echo "FAIL: codex exec exited with $codex_exit" >&2; failed=1; fi
if [[ -z "${last_message//[[:space:]]/}" ]]; then echo "FAIL: codex wrote no final message" >&2; failed=1; fi
if [[ "$ws_turns" -lt 2 ]]; then echo "FAIL: expected >= 2 completed turns over WebSocket, saw $ws_turns" >&2; failed=1; fi
if [[ "$cached_turns" -lt 1 ]]; then echo "FAIL: expected >= 1 turn served from the connection cache (a chained delta turn), saw $cached_turns" >&2; failed=1; fi
if [[ "$other_turns" -ne 0 ]]; then echo "FAIL: $other_turns turn(s) were not served over WebSocket (Codex fell back to HTTP)" >&2; failed=1; fi
if [[ "$failed" -ne 0 ]]; then exit 1; fi
echo "== OK: codex finished over WebSocket with chained turns"
