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

# CPU ticks (1/100 s) the app has used, all its threads: utime + stime (its name is "dotnet", no spaces).
app_ticks() { awk '{ print $14 + $15 }' /proc/"$APP_PID"/stat; }

# Requests per CPU-second of the server is the per-core figure that does not depend on how much of its CPU the
# server got: on this shared machine other builders' threads take turns on the server's CPU too, and the scheduler
# gives a process with more runnable threads (the thread pool) a larger share of it than one with a single reactor.
run_wrk() { # run_wrk <netns> <url> [script]: prints "rps p50_us p99_us errors requests_per_cpu_second"
  local out before after
  before="$(app_ticks)"
  out="$(ip netns exec "$1" taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency ${3:+-s "$3"} "$2")"
  after="$(app_ticks)"
  echo "$out" >&2
  local rps p50 p99 errors=0 rpc
  rpc="$(awk -v t=$((after - before)) '/ requests in / { printf "%.0f", (t > 0 ? $1 / (t / 100) : 0) }' <<<"$out")"
  echo "server CPU: $((after - before)) ticks, $rpc requests per CPU-second" >&2
  rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
  p50="$(to_us "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
  p99="$(to_us "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
  if grep -q -e "Socket errors" -e "Non-2xx" <<<"$out"; then errors=1; fi
  echo "$rps $p50 $p99 $errors $rpc"
}

# CPU ticks the app's tiered-compilation thread has used (the JIT re-compiling hot methods in the background).
jit_ticks() {
  local t
  for t in /proc/"$APP_PID"/task/*; do
    if [[ "$(cat "$t/comm" 2>/dev/null)" == ".NET Tiered Com"* ]]; then sed 's/.*) //' "$t/stat" | awk '{ print $12 + $13 }'; return; fi # utime + stime (the name holds spaces)
  done
  echo 0
}

# Steady state before measuring: the JIT re-compiles hot code for a while under load (on this shared machine it took
# a third of the server's CPU 8 s into a run), more for the stack's code than for Kestrel's and the runtime's, which
# start precompiled (ReadyToRun). So wrk warms each server, pipelined and not, for at least 3 rounds of 2 s and until a
# round costs the JIT thread at most 2 ticks (20 ms), at most 20 rounds; the rounds taken are reported. (The runtime
# ends that thread when it idles and starts another: a round it spans is undercounted, hence the minimum.)
warm_up() { # warm_up <netns> <url>: sets R_WARM (rounds)
  local before after
  for R_WARM in $(seq 20); do
    before="$(jit_ticks)"
    ip netns exec "$1" taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d1s "$2" >/dev/null
    ip netns exec "$1" taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d1s -s "$WORK/pipeline.lua" "$2" >/dev/null
    after="$(jit_ticks)"
    echo "warm-up round $R_WARM: JIT thread $((after - before)) ticks" >&2
    if (( R_WARM >= 3 && after - before <= 2 )); then return; fi
  done
}

# One server run: warm-up, then plain then pipelined wrk; sets R_RPS R_P50 R_P99 R_ERR R_RPS_PL R_P99_PL R_ERR_PL R_ALLOC R_WARM.
measure() { # measure <netns> <url> <log>
  ip netns exec "$1" curl -sS -m 10 "$2" >/dev/null
  warm_up "$1" "$2"
  read -r R_RPS R_P50 R_P99 R_ERR R_RPC < <(run_wrk "$1" "$2")
  read -r R_RPS_PL _ R_P99_PL R_ERR_PL R_RPC_PL < <(run_wrk "$1" "$2" "$WORK/pipeline.lua")
  stop_app "$3"; R_ALLOC="$ALLOC"
}

ip netns add "$DNS"
# The TAP goes with the app: each run makes it anew and moves its kernel end into the client's namespace.
start_dpdk() { # start_dpdk <log> [app args...]
  local log="$1"; shift
  # HTTP_BENCH_DPDK_ARGS: more HelloHttp arguments for the DPDK runs (e.g. "--rx-mode poll"), to compare settings.
  start_app "$log" --iface "$TAP" --address 10.81.0.2/24 --lcores "$SERVER_CPU" ${HTTP_BENCH_DPDK_ARGS:-} "$@"
  ip link set "$TAP" netns "$DNS"
  ip -n "$DNS" addr add 10.81.0.1/24 dev "$TAP"
  ip -n "$DNS" link set "$TAP" up
}
ip netns add "$KNS"
ip link add "$VETH" type veth peer name "${VETH}p"
ip link set "${VETH}p" netns "$KNS"
ip addr add 10.82.0.2/24 dev "$VETH"
ip link set "$VETH" up
ip -n "$KNS" addr add 10.82.0.1/24 dev "${VETH}p"
ip -n "$KNS" link set "${VETH}p" up

# Each transport twice: its default (Kestrel on the thread pool) and inline (--inline: Kestrel and the endpoint on the
# transport's I/O thread, UnsafePreferInlineScheduling of either transport; the kernel's with the runtime's socket
# completions inline too). The orders alternate so that a change of load in the shared machine does not favour one.
echo "--- DPDK: HelloHttp on $TAP (10.81.0.2), wrk in $DNS" >&2
start_dpdk "$WORK/dpdk.log"
measure "$DNS" http://10.81.0.2:8080/ "$WORK/dpdk.log"
dpdk_rps=$R_RPS dpdk_p50=$R_P50 dpdk_p99=$R_P99 dpdk_errors=$R_ERR dpdk_rps_pl=$R_RPS_PL dpdk_p99_pl=$R_P99_PL dpdk_errors_pl=$R_ERR_PL dpdk_alloc=$R_ALLOC dpdk_rpc=$R_RPC dpdk_rpc_pl=$R_RPC_PL dpdk_warm=$R_WARM

echo "--- kernel: HelloHttp on Kestrel's sockets, wrk in $KNS over a veth pair (10.82.0.2)" >&2
start_app "$WORK/kernel.log"
measure "$KNS" http://10.82.0.2:8080/ "$WORK/kernel.log"
kernel_rps=$R_RPS kernel_p50=$R_P50 kernel_p99=$R_P99 kernel_errors=$R_ERR kernel_rps_pl=$R_RPS_PL kernel_p99_pl=$R_P99_PL kernel_errors_pl=$R_ERR_PL kernel_alloc=$R_ALLOC kernel_rpc=$R_RPC kernel_rpc_pl=$R_RPC_PL kernel_warm=$R_WARM

echo "--- kernel, inline" >&2
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 start_app "$WORK/kernel-inline.log" --inline
measure "$KNS" http://10.82.0.2:8080/ "$WORK/kernel-inline.log"
kernel_in_rps=$R_RPS kernel_in_p50=$R_P50 kernel_in_p99=$R_P99 kernel_in_errors=$R_ERR kernel_in_rps_pl=$R_RPS_PL kernel_in_p99_pl=$R_P99_PL kernel_in_errors_pl=$R_ERR_PL kernel_in_alloc=$R_ALLOC kernel_in_rpc=$R_RPC kernel_in_rpc_pl=$R_RPC_PL kernel_in_warm=$R_WARM

echo "--- DPDK, inline" >&2
start_dpdk "$WORK/dpdk-inline.log" --inline
measure "$DNS" http://10.81.0.2:8080/ "$WORK/dpdk-inline.log"
dpdk_in_rps=$R_RPS dpdk_in_p50=$R_P50 dpdk_in_p99=$R_P99 dpdk_in_errors=$R_ERR dpdk_in_rps_pl=$R_RPS_PL dpdk_in_p99_pl=$R_P99_PL dpdk_in_errors_pl=$R_ERR_PL dpdk_in_alloc=$R_ALLOC dpdk_in_rpc=$R_RPC dpdk_in_rpc_pl=$R_RPC_PL dpdk_in_warm=$R_WARM

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
  "${dpdk_alloc:-0}" "${kernel_alloc:-0}" \
  "$((dpdk_errors + dpdk_errors_pl + kernel_errors + kernel_errors_pl + dpdk_in_errors + dpdk_in_errors_pl + kernel_in_errors + kernel_in_errors_pl))"
printf '"dpdk_inline_rps":%s,"kernel_inline_rps":%s,"ratio_rps_dpdk_over_kernel_inline":%s,' "$dpdk_in_rps" "$kernel_in_rps" "$(ratio "$dpdk_in_rps" "$kernel_in_rps")"
printf '"dpdk_inline_p50_us":%s,"kernel_inline_p50_us":%s,"dpdk_inline_p99_us":%s,"kernel_inline_p99_us":%s,"ratio_p99_kernel_over_dpdk_inline":%s,' \
  "$dpdk_in_p50" "$kernel_in_p50" "$dpdk_in_p99" "$kernel_in_p99" "$(ratio "$kernel_in_p99" "$dpdk_in_p99")"
printf '"dpdk_inline_rps_pipelined":%s,"kernel_inline_rps_pipelined":%s,"dpdk_inline_p99_us_pipelined":%s,"kernel_inline_p99_us_pipelined":%s,' \
  "$dpdk_in_rps_pl" "$kernel_in_rps_pl" "$(nonzero "$dpdk_in_p99_pl")" "$(nonzero "$kernel_in_p99_pl")"
printf '"dpdk_inline_bytes_allocated_per_request":%s,"kernel_inline_bytes_allocated_per_request":%s,' "${dpdk_in_alloc:-0}" "${kernel_in_alloc:-0}"
printf '"dpdk_requests_per_cpu_second":%s,"kernel_requests_per_cpu_second":%s,"ratio_requests_per_cpu_second_dpdk_over_kernel":%s,' \
  "$dpdk_rpc" "$kernel_rpc" "$(ratio "$dpdk_rpc" "$kernel_rpc")"
printf '"dpdk_inline_requests_per_cpu_second":%s,"kernel_inline_requests_per_cpu_second":%s,"ratio_requests_per_cpu_second_dpdk_inline_over_kernel":%s,' \
  "$dpdk_in_rpc" "$kernel_in_rpc" "$(ratio "$dpdk_in_rpc" "$kernel_rpc")"
printf '"requests_per_cpu_second_pipelined":{"dpdk":%s,"kernel":%s,"dpdk_inline":%s,"kernel_inline":%s},' "$dpdk_rpc_pl" "$kernel_rpc_pl" "$dpdk_in_rpc_pl" "$kernel_in_rpc_pl"
printf '"warm_up_rounds":[%s,%s,%s,%s],"load_average_1m":%s,' "$dpdk_warm" "$kernel_warm" "$kernel_in_warm" "$dpdk_in_warm" "$(cut -d' ' -f1 /proc/loadavg)"
printf '"dpdk_path":"wrk in a namespace -> kernel TAP -> net_tap -> stack","kernel_path":"wrk in a namespace -> veth -> kernel TCP"}\n'
