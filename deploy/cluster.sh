#!/usr/bin/env bash
# A throwaway Loopwire cluster on loopback, and a node killed under a running agent.
#
# Starts a PostgreSQL cluster (initdb + pg_ctl, Debian's `postgresql` package), NODES `loopwire serve` nodes on it and
# nginx in front (Debian's `nginx` package, with its own prefix and configuration in a temporary directory; no system
# configuration is touched), all on 127.0.0.1. For each transport it starts the agent's scenario through nginx with
# store: true, waits until the agent has completed KILL_AFTER turns, kills the node that served the last of them with
# SIGKILL, and reports: whether the agent's tests passed, its turns and reconnects, how many of the responses it
# received cannot be retrieved from the surviving nodes (must be 0), the time from the kill to the next completed
# turn, and the turns each node served. Everything it started is stopped and removed on exit.
#
# Usage: deploy/cluster.sh [--transports "ws http-chained"] [--scenario long-haul] [--model sim-instant]
#                          [--kill-after 20] [--nodes 3] [--loopwire "COMMAND"] [--summary-json FILE] [--keep]
#   --loopwire     how to run loopwire (default: the CLI built in this repository, else `loopwire` on PATH)
#   --summary-json also write the figures as JSON (one object per transport)
#   --keep         keep the temporary directory (logs, nginx access log) and print its path
# Exit status: 0 when every run passed its tests, lost no response and had a node killed under it.
set -euo pipefail

transports="ws http-chained"
scenario="long-haul"
model="sim-instant"
kill_after=20
nodes=3
loopwire=""
summary_json=""
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --transports) transports="$2"; shift 2 ;;
    --scenario) scenario="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --kill-after) kill_after="$2"; shift 2 ;;
    --nodes) nodes="$2"; shift 2 ;;
    --loopwire) loopwire="$2"; shift 2 ;;
    --summary-json) summary_json="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cluster.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$kill_after" in ''|*[!0-9]*) echo "cluster.sh: --kill-after must be a whole number of turns" >&2; exit 2 ;; esac
case "$nodes" in ''|*[!0-9]*|0|1) echo "cluster.sh: --nodes must be 2 or more" >&2; exit 2 ;; esac

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
template="$here/nginx/loopwire.conf"

# How to run loopwire.
if [ -z "$loopwire" ]; then
  for configuration in Release Debug; do
    dll="$repo/src/Loopwire.Cli/bin/$configuration/net10.0/loopwire.dll"
    if [ -f "$dll" ]; then loopwire="dotnet $dll"; break; fi
  done
fi
if [ -z "$loopwire" ] && command -v loopwire >/dev/null 2>&1; then loopwire="loopwire"; fi
if [ -z "$loopwire" ]; then
  echo "cluster.sh: no loopwire found: build it (dotnet build src/Loopwire.Cli) or pass --loopwire COMMAND" >&2
  exit 2
fi
read -ra lw <<<"$loopwire"

pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "cluster.sh: PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql" >&2
  exit 2
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
if [ ! -x "$nginx_bin" ]; then
  echo "cluster.sh: nginx is not installed: apt-get install nginx" >&2
  exit 2
fi
for tool in python3 curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "cluster.sh: $tool is required" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/loopwire-cluster.XXXXXX")"
chmod 755 "$work"
pids=()
nginx_pid=""
pg_data="$work/pg/data"
pg_started=0

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
  local status=$?
  set +e
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  if [ -n "$nginx_pid" ]; then kill -QUIT "$nginx_pid" 2>/dev/null; fi
  if [ "$pg_started" = 1 ]; then as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1; fi
  wait 2>/dev/null
  if [ "$keep" = 1 ]; then echo "kept: $work"; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

now_ms() { date +%s%3N; }

# Waits up to $2 seconds for file $1 to contain a line matching $3 while process $4 runs.
wait_for_line() {
  local file="$1" timeout="$2" pattern="$3" pid="$4" deadline=$(( $(date +%s) + $2 ))
  while ! grep -qE "$pattern" "$file" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then return 1; fi
    sleep 0.05
  done
}

echo "== PostgreSQL ($pg_bin)"
mkdir -p "$work/pg"
if [ "$(id -u)" = 0 ]; then chown -R postgres: "$work/pg"; fi
pg_port="$(free_port)"
as_postgres "$pg_bin/initdb" -D "$pg_data" -U postgres -A trust -E UTF8 --no-sync >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; exit 1; }
as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg/log" -w start \
  -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
pg_started=1
as_postgres "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres loopwire
store="postgres:Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=loopwire"
echo "postgresql on 127.0.0.1:$pg_port, store $store"

# Starts the nodes and nginx for one run; sets node_ports, node_pids, lb_port.
start_cluster() {
  local run="$1" i
  node_ports=(); node_pids=()
  for i in $(seq 1 "$nodes"); do
    local port; port="$(free_port)"
    env -u LOOPWIRE_API_KEYS -u LOOPWIRE_STORE "${lw[@]}" serve --port "$port" --store "$store" --node-name "node-$i" \
      --default-model-profile "$model" >"$run/node-$i.log" 2>&1 &
    node_pids+=("$!"); pids+=("$!"); node_ports+=("$port")
    disown "$!"  # a node is killed on purpose: no "Killed" job notice
  done
  for i in $(seq 1 "$nodes"); do
    if ! wait_for_line "$run/node-$i.log" 120 "Loopwire listening on" "${node_pids[$((i - 1))]}"; then
      echo "cluster.sh: node-$i did not start:" >&2; cat "$run/node-$i.log" >&2; return 1
    fi
  done

  lb_port="$(free_port)"
  mkdir -p "$run/nginx"
  local servers=""
  for i in $(seq 1 "$nodes"); do
    servers+="    server 127.0.0.1:${node_ports[$((i - 1))]} max_fails=1 fail_timeout=10s;"$'\n'
  done
  SERVERS="$servers" LB="$lb_port" LOG="$run/nginx/access.log" awk '
    /# nodes:begin/ { printf "%s", ENVIRON["SERVERS"]; skip = 1; next }
    /# nodes:end/ { skip = 0; next }
    skip { next }
    /^ *listen / { print "    listen 127.0.0.1:" ENVIRON["LB"] ";"; next }
    /^ *access_log / { print "    access_log " ENVIRON["LOG"] " loopwire;"; next }
    { print }' "$template" >"$run/nginx/loopwire.conf"
  {
    echo "worker_processes 1;"
    echo "pid $run/nginx/nginx.pid;"
    echo "error_log $run/nginx/error.log warn;"
    if [ "$(id -u)" = 0 ]; then echo "user root;"; fi
    echo "events { worker_connections 1024; }"
    echo "http {"
    for temp in client_body proxy fastcgi uwsgi scgi; do echo "    ${temp}_temp_path $run/nginx/$temp;"; done
    echo "    include $run/nginx/loopwire.conf;"
    echo "}"
  } >"$run/nginx/nginx.conf"
  "$nginx_bin" -p "$run/nginx" -c "$run/nginx/nginx.conf" -e "$run/nginx/error.log" -t >"$run/nginx/test.log" 2>&1 \
    || { cat "$run/nginx/test.log" >&2; return 1; }
  "$nginx_bin" -p "$run/nginx" -c "$run/nginx/nginx.conf" -e "$run/nginx/error.log" -g "daemon off;" >>"$run/nginx/test.log" 2>&1 &
  nginx_pid="$!"; pids+=("$!")
  local deadline=$(( $(date +%s) + 30 ))
  until curl -fsS -o /dev/null "http://127.0.0.1:$lb_port/healthz" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$deadline" ]; then echo "cluster.sh: nginx did not answer on $lb_port" >&2; return 1; fi
    sleep 0.1
  done
}

stop_cluster() {
  local pid
  for pid in "${node_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  kill -QUIT "$nginx_pid" 2>/dev/null || true
  { wait "$nginx_pid"; } 2>/dev/null || true
  for pid in "${node_pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  done
  nginx_pid=""
}

results=()
overall=0
for transport in $transports; do
  run="$work/$transport"
  mkdir -p "$run"
  echo "== $transport: $nodes nodes and nginx"
  start_cluster "$run"
  echo "nginx on 127.0.0.1:$lb_port -> nodes on ports ${node_ports[*]}"

  "${lw[@]}" agent --scenario "$scenario" --transport "$transport" --model "$model" --store-responses --json \
    --base-url "http://127.0.0.1:$lb_port" >"$run/agent.json" 2>"$run/agent.log" &
  agent_pid="$!"; pids+=("$agent_pid")

  # The node that serves the session: the one that ran the agent's first turn (the agent prints one line per turn, with
  # the response id; each node's admin endpoint knows the turns it ran). The session header's hash keeps the session
  # there, so that node is the one to kill. Then wait for KILL_AFTER completed turns and kill it.
  victim=""; killed_after=0; kill_ms=0; next_ms=0
  count_turns() { grep -c '^turn ' "$run/agent.log" 2>/dev/null || true; }
  until [ "$(count_turns)" -ge 1 ]; do
    kill -0 "$agent_pid" 2>/dev/null || break
    sleep 0.02
  done
  first_id="$(grep -m 1 '^turn ' "$run/agent.log" | grep -oE 'resp_[0-9a-f]+' || true)"
  for i in $(seq 1 "$nodes"); do
    if [ -n "$first_id" ] && curl -fsS -o /dev/null "http://127.0.0.1:${node_ports[$((i - 1))]}/loopwire/v1/turns?response_id=$first_id" 2>/dev/null; then
      victim="$i"
    fi
  done
  until [ "$(count_turns)" -ge "$kill_after" ]; do
    kill -0 "$agent_pid" 2>/dev/null || break
    sleep 0.02
  done
  if [ -n "$victim" ] && kill -0 "$agent_pid" 2>/dev/null; then
    killed_after="$(count_turns)"
    kill -KILL "${node_pids[$((victim - 1))]}"
    kill_ms="$(now_ms)"
    echo "killed node-$victim (SIGKILL) after turn $killed_after"
    while [ "$(count_turns)" -le "$killed_after" ] && kill -0 "$agent_pid" 2>/dev/null; do
      sleep 0.02
    done
    if [ "$(count_turns)" -gt "$killed_after" ]; then next_ms="$(now_ms)"; fi
  fi
  agent_status=0
  wait "$agent_pid" || agent_status=$?

  survivors=()
  for i in $(seq 1 "$nodes"); do
    if [ "$i" != "$victim" ]; then survivors+=("node-$i=http://127.0.0.1:${node_ports[$((i - 1))]}"); fi
  done
  result="$(python3 - "$run" "$transport" "$agent_status" "$victim" "$killed_after" "$kill_ms" "$next_ms" "${survivors[@]}" <<'PY'
import json, sys, urllib.request, urllib.error, collections, re, os
run, transport, agent_status, victim, killed_after, kill_ms, next_ms = sys.argv[1:8]
survivors = dict(s.split("=", 1) for s in sys.argv[8:])
lines = [l for l in open(os.path.join(run, "agent.json")).read().splitlines() if l.startswith("{")]
agent = json.loads(lines[-1]) if lines else {}
ids = agent.get("response_ids", [])

def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""
    except OSError:
        return 0, b""

# Every response the agent received must be retrievable from every surviving node.
lost = sorted({rid for rid in ids for base in survivors.values() if get(f"{base}/v1/responses/{rid}")[0] != 200})
# Turns per node: what each survivor's admin endpoint says it ran; the killed node ran the rest.
per_node = {}
wanted = set(ids)
for name, base in survivors.items():
    status, body = get(f"{base}/loopwire/v1/turns")
    per_node[name] = sum(1 for t in json.loads(body)["data"] if t["response_id"] in wanted) if status == 200 else 0
if victim:
    per_node[f"node-{victim}"] = len(ids) - sum(per_node.values())
per_node = dict(sorted(per_node.items()))
# Requests to /v1/responses per node as nginx saw them (a WebSocket is one request for its whole life; "-" is a
# request no node answered, e.g. nginx's 502 for a node that died while holding it).
requests = collections.Counter()
log = os.path.join(run, "nginx", "access.log")
if os.path.exists(log):
    for line in open(log):
        if '/v1/responses' not in line:
            continue
        m = re.search(r" node=(\S+)", line)
        requests[m.group(1) if m else "-"] += 1
# The agent prints a turn's line after that turn's tools ran: the model's reply came that much earlier.
kill_to_next = None
if int(next_ms) > 0:
    turn_lines = [l for l in open(os.path.join(run, "agent.log")) if l.startswith("turn ")]
    after = turn_lines[int(killed_after)] if len(turn_lines) > int(killed_after) else ""
    tools = re.search(r"tools +(\d+) ms", after)
    kill_to_next = max(0, int(next_ms) - int(kill_ms) - (int(tools.group(1)) if tools else 0))
result = {
    "transport": transport,
    "agent_exit_code": int(agent_status),
    "tests_passed": bool(agent.get("tests_passed")),
    "turns": agent.get("turns", 0),
    "reconnects": agent.get("reconnects", 0),
    "replays": agent.get("replays", 0),
    "response_ids": len(ids),
    "lost": len(lost),
    "lost_ids": lost,
    "killed_node": f"node-{victim}" if victim else None,
    "killed_after_turn": int(killed_after),
    "kill_to_next_turn_ms": kill_to_next,
    "turns_per_node": per_node,
    "nginx_requests_per_node": dict(sorted(requests.items())),
}
print(json.dumps(result))
PY
)"
  results+=("$result")
  stop_cluster
  if ! python3 -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if r["agent_exit_code"]==0 and r["tests_passed"] and r["lost"]==0 and r["killed_node"] and r["response_ids"]==r["turns"] else 1)' "$result"; then
    overall=1
    echo "cluster.sh: $transport FAILED; the agent's last lines:" >&2
    tail -n 5 "$run/agent.log" >&2
  fi
done

json="[$(IFS=,; echo "${results[*]}")]"
if [ -n "$summary_json" ]; then printf '%s\n' "$json" >"$summary_json"; fi
python3 - "$json" <<'PY'
import json, sys
rows = json.loads(sys.argv[1])
head = ("transport", "tests", "turns", "reconnects", "replays", "killed", "lost", "kill->next turn", "turns per node", "nginx requests per node")
table = [head]
for r in rows:
    table.append((
        r["transport"], "pass" if r["tests_passed"] and r["agent_exit_code"] == 0 else "FAIL", str(r["turns"]),
        str(r["reconnects"]), str(r["replays"]),
        f'{r["killed_node"]} after turn {r["killed_after_turn"]}' if r["killed_node"] else "none",
        f'{r["lost"]}/{r["response_ids"]}',
        f'{r["kill_to_next_turn_ms"]} ms' if r["kill_to_next_turn_ms"] is not None else "-",
        ", ".join(f"{k} {v}" for k, v in r["turns_per_node"].items()),
        ", ".join(f"{k} {v}" for k, v in r["nginx_requests_per_node"].items()),
    ))
widths = [max(len(row[i]) for row in table) for i in range(len(head))]
for n, row in enumerate(table):
    print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    if n == 0:
        print("  ".join("-" * w for w in widths))
PY
exit "$overall"
