#!/usr/bin/env bash
# eng/bench.sh http [seconds] [connections]: requests/s and p50/p99 latency of HelloHttp's plaintext GET /, not
# pipelined and pipelined (16 per batch), with the server (a) on DPDK through the Kestrel transport, the client
# reaching it over net_tap, and (b) on Kestrel's kernel sockets, the client reaching it over a veth pair; the
# same app, the same wrk in a network namespace of its own, the server on one CPU (taskset; its lcore there
# too) and wrk on the other. Plus bytes the server allocated per request (GC.GetTotalAllocatedBytes from ready
# to stop, over the requests it counted). Prints one JSON line on stdout; removes everything it made. Root.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_RUN="${1:-5}"
CONNECTIONS="${2:-64}"
[[ $EUID -eq 0 ]] || { echo "bench http: run as root (DPDK, TAP, network namespaces)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench http: wrk is missing (bash eng/setup.sh installs it)" >&2; exit 1; }

dotnet build "$ROOT/samples/HelloHttp" -c Release -v quiet -nologo >&2
DLL="$ROOT/samples/HelloHttp/bin/Release/net10.0/DpdkSharp.Samples.HelloHttp.dll"
if [[ "$(nproc)" -ge 2 ]]; then SERVER_CPU=1; CLIENT_CPU=0; else SERVER_CPU=0; CLIENT_CPU=0; fi

TAG="$$"
TAP="dpbt$TAG"; TAP="${TAP:0:15}"
VETH="dpbv$TAG"; VETH="${VETH:0:15}"
DNS="dpdksharp-hb-d-$TAG"
KNS="dpdksharp-hb-k-$TAG"
WORK="$(mktemp -d)"
APP_PID=""
cleanup() {
  if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then kill -TERM "$APP_PID"; wait "$APP_PID" || true; fi
  ip netns del "$DNS" 2>/dev/null || true
  ip netns del "$KNS" 2>/dev/null || true
  ip link del "$VETH" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# wrk's pipelining: each request() returns 16 GETs in one write.
cat >"$WORK/pipeline.lua" <<'LUA'
init = function(args)
  local r = {}
  for i = 1, 16 do r[i] = wrk.format(nil, "/") end
  req = table.concat(r)
end
request = function() return req end
LUA

start_app() { # start_app <log> <args...>
  local log="$1"; shift
  taskset -c "$SERVER_CPU" dotnet "$DLL" "$@" >"$log" 2>&1 &
  APP_PID=$!
  for _ in $(seq 600); do grep -q '^ready' "$log" && return 0; kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.1; done
  echo "bench http: the app did not start:" >&2; cat "$log" >&2; exit 1
}

ALLOC=0
stop_app() { # stop_app <log>: sets ALLOC, the bytes allocated per request (in this shell: the app is its child)
  kill -TERM "$APP_PID"; wait "$APP_PID"; APP_PID=""
  ALLOC="$(sed -n 's/^served: \([0-9]*\) requests, \([0-9]*\) bytes allocated since ready$/\1 \2/p' "$1" | awk '{ printf "%.0f", ($1 > 0 ? $2 / $1 : 0) }')"
}

# wrk's latency as microseconds ("850.00us", "1.23ms", "1.02s").
to_us() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000; else if (v ~ /s$/) print n * 1000000; else print n }'; }

run_wrk() { # run_wrk <netns> <url> [script]: prints "rps p50_us p99_us errors"
  local out
  out="$(ip netns exec "$1" taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency ${3:+-s "$3"} "$2")"
  echo "$out" >&2
  local rps p50 p99 errors=0
  rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
  p50="$(to_us "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
  p99="$(to_us "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
  if grep -q -e "Socket errors" -e "Non-2xx" <<<"$out"; then errors=1; fi
  echo "$rps $p50 $p99 $errors"
}

echo "--- DPDK: HelloHttp on $TAP (10.81.0.2), wrk in $DNS" >&2
start_app "$WORK/dpdk.log" --iface "$TAP" --address 10.81.0.2/24 --lcores "$SERVER_CPU"
ip netns add "$DNS"
ip link set "$TAP" netns "$DNS"
ip -n "$DNS" addr add 10.81.0.1/24 dev "$TAP"
ip -n "$DNS" link set "$TAP" up
ip netns exec "$DNS" curl -sS -m 10 http://10.81.0.2:8080/ >/dev/null
read -r dpdk_rps dpdk_p50 dpdk_p99 dpdk_errors < <(run_wrk "$DNS" http://10.81.0.2:8080/)
read -r dpdk_rps_pl dpdk_p50_pl dpdk_p99_pl dpdk_errors_pl < <(run_wrk "$DNS" http://10.81.0.2:8080/ "$WORK/pipeline.lua")
stop_app "$WORK/dpdk.log"; dpdk_alloc="$ALLOC"

echo "--- kernel: HelloHttp on Kestrel's sockets, wrk in $KNS over a veth pair (10.82.0.2)" >&2
ip netns add "$KNS"
ip link add "$VETH" type veth peer name "${VETH}p"
ip link set "${VETH}p" netns "$KNS"
ip addr add 10.82.0.2/24 dev "$VETH"
ip link set "$VETH" up
ip -n "$KNS" addr add 10.82.0.1/24 dev "${VETH}p"
ip -n "$KNS" link set "${VETH}p" up
start_app "$WORK/kernel.log"
ip netns exec "$KNS" curl -sS -m 10 http://10.82.0.2:8080/ >/dev/null
read -r kernel_rps kernel_p50 kernel_p99 kernel_errors < <(run_wrk "$KNS" http://10.82.0.2:8080/)
read -r kernel_rps_pl kernel_p50_pl kernel_p99_pl kernel_errors_pl < <(run_wrk "$KNS" http://10.82.0.2:8080/ "$WORK/pipeline.lua")
stop_app "$WORK/kernel.log"; kernel_alloc="$ALLOC"

# wrk sometimes reports a pipelined run's 99th percentile as 0.00us (its histogram, not the server): null then.
nonzero() { if [[ "$1" == "0" ]]; then echo null; else echo "$1"; fi; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
printf '{"bench":"http","seconds":%s,"connections":%s,"server_cpus":1,' "$SECONDS_PER_RUN" "$CONNECTIONS"
printf '"dpdk_rps":%s,"kernel_rps":%s,"ratio_rps_dpdk_over_kernel":%s,' "$dpdk_rps" "$kernel_rps" "$(ratio "$dpdk_rps" "$kernel_rps")"
printf '"dpdk_p50_us":%s,"kernel_p50_us":%s,"dpdk_p99_us":%s,"kernel_p99_us":%s,"ratio_p99_kernel_over_dpdk":%s,' \
  "$dpdk_p50" "$kernel_p50" "$dpdk_p99" "$kernel_p99" "$(ratio "$kernel_p99" "$dpdk_p99")"
printf '"dpdk_rps_pipelined":%s,"kernel_rps_pipelined":%s,"dpdk_p99_us_pipelined":%s,"kernel_p99_us_pipelined":%s,' \
  "$dpdk_rps_pl" "$kernel_rps_pl" "$(nonzero "$dpdk_p99_pl")" "$(nonzero "$kernel_p99_pl")"
printf '"bytes_allocated_per_request":%s,"kernel_bytes_allocated_per_request":%s,"errors":%s,' \
  "${dpdk_alloc:-0}" "${kernel_alloc:-0}" "$((dpdk_errors + dpdk_errors_pl + kernel_errors + kernel_errors_pl))"
printf '"dpdk_path":"wrk in a namespace -> kernel TAP -> net_tap -> stack","kernel_path":"wrk in a namespace -> veth -> kernel TCP"}\n'
