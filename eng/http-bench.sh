#!/usr/bin/env bash
# eng/bench.sh http [seconds] [connections]: requests/s and p50/p99 latency of HelloHttp's plaintext GET /, not
# pipelined and pipelined (16 per batch), with the server (a) on DPDK through the Kestrel transport and (b) on Kestrel's
# kernel sockets transport: the same app, the same client, the server on one CPU (taskset; its lcore there too) and
# the client on the other, every server run warmed up until the JIT settles. Prints one JSON line on stdout; removes
# everything it made. Root.
#
# How the client reaches each server (two comparisons):
#  - The headline keys (dpdk_*, kernel_*, ratio_*, bytes_allocated_per_request) come from one load generator,
#    bench/http (DpdkSharp.Bench.Http: 64 keep-alive connections, closed loop, HdrHistogram latencies), with one
#    request/response loop over two transports: to the DPDK server it speaks through DpdkSharp's own TCP stack in a
#    process of its own on a net_memif port (client role) whose peer is the server's net_memif port (server role; a
#    control socket under /tmp, frames in shared memory: no syscall, no kernel on either side); to the kernel server
#    through System.Net.Sockets over loopback (127.0.0.1), where each side's send runs the other side's TCP receive in
#    its own softirq. Requests per server CPU-second (the server process's utime + stime from /proc over the run) is
#    the per-core figure; net_memif (DPDK 22.11) has no RX interrupts, so the DPDK server (and the load generator's
#    stack) polls; between bursts the reactors sleep 20 us between polls for 2 ms after traffic, then nap 1 ms at a time
#    (bench/http/README.md, "The reactor's idle steps").
#  - The wrk_* keys are the "real client" figures: wrk in a network namespace of its own, the DPDK server on net_tap
#    (a read()/writev() per frame, and the kernel's TAP work, on the server's CPU) and the kernel server over a veth
#    pair (much of its TCP receive runs in softirq on wrk's CPU). HTTP_BENCH_WRK=0 leaves them out.
# Each transport runs twice: its default (Kestrel on the thread pool) and inline (--inline: UnsafePreferInlineScheduling
# of either transport, the kernel's with the runtime's socket completions inline too). The server also reports the
# bytes it allocated per request (GC.GetTotalAllocatedBytes from ready to stop, over the requests it counted).
# HTTP_BENCH_DPDK_ARGS: more HelloHttp arguments for the DPDK runs (e.g. "--rx-mode poll" for the TAP ones).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_RUN="${1:-5}"
CONNECTIONS="${2:-64}"
WRK="${HTTP_BENCH_WRK:-1}"
[[ $EUID -eq 0 ]] || { echo "bench http: run as root (DPDK, TAP, network namespaces)" >&2; exit 1; }
[[ "$WRK" == 0 ]] || command -v wrk >/dev/null || { echo "bench http: wrk is missing (bash eng/setup.sh installs it)" >&2; exit 1; }

dotnet build "$ROOT/samples/HelloHttp" -c Release -v quiet -nologo >&2
dotnet build "$ROOT/bench/http/Http.csproj" -c Release -v quiet -nologo >&2
DLL="$ROOT/samples/HelloHttp/bin/Release/net10.0/DpdkSharp.Samples.HelloHttp.dll"
LOADGEN="$ROOT/bench/http/bin/Release/net10.0/DpdkSharp.Bench.Http.dll"
if [[ "$(nproc)" -ge 2 ]]; then SERVER_CPU=1; CLIENT_CPU=0; else SERVER_CPU=0; CLIENT_CPU=0; fi

TAG="$$"
TAP="dpbt$TAG"; TAP="${TAP:0:15}"
VETH="dpbv$TAG"; VETH="${VETH:0:15}"
DNS="dpdksharp-hb-d-$TAG"
KNS="dpdksharp-hb-k-$TAG"
WORK="$(mktemp -d)"
# The memif link: its control socket a file in WORK (not 22.11's default abstract name), 4096-frame rings each way so
# that a side the shared machine preempts for a while delays frames rather than dropping them.
MEMIF_SOCKET="$WORK/memif.sock"
MEMIF="id=0,socket=$MEMIF_SOCKET,socket-abstract=no,rsize=12"
APP_PID=""
cleanup() {
  if [[ -n "${LG_PID:-}" ]] && kill -0 "$LG_PID" 2>/dev/null; then kill -TERM "$LG_PID"; wait "$LG_PID" || true; fi
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

# Tiered compilation's call-counting delay (100 ms by default) starts again whenever a method runs for the first time,
# and on a saturated CPU it kept Kestrel's hot path (and our stack's) in its instrumented tiers for the whole run: the
# JIT thread was quiet, so the warm-up below ended, while the methods waited to be counted (perf showed the PGO
# probes' reservoir sampling, and DOTNET_JitStdOutFile the promotions still coming in waves after 10 s). Measured on
# the pipelined GET with one server CPU: kernel sockets 195k -> 382k requests/s, DPDK 130k -> 455k with the delay 0.
# Every process of the benchmark (both servers, both clients) runs with the same setting, so the runs compare
# steady-state code; HTTP_BENCH_CALL_COUNTING_DELAY_MS=100 gives the runtime's default back.
export DOTNET_TC_CallCountingDelayMs="${HTTP_BENCH_CALL_COUNTING_DELAY_MS:-0}"

# The app's ports, made from this script's PID so that another HelloHttp on the machine (a test) does not collide
# with the kernel server, which listens on every address of the root namespace.
PORT=$((20000 + TAG % 15000 * 3))
start_app() { # start_app <log> <args...>
  local log="$1"; shift
  taskset -c "$SERVER_CPU" dotnet "$DLL" --port "$PORT" --h2c-port $((PORT + 1)) --tls-port $((PORT + 2)) "$@" >"$log" 2>&1 &
  APP_PID=$!
  for _ in $(seq 600); do grep -qs '^ready' "$log" && return 0; kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.1; done
  echo "bench http: the app did not start:" >&2; cat "$log" >&2; exit 1
}

ALLOC=0
stop_app() { # stop_app <log>: sets ALLOC, the bytes allocated per request (in this shell: the app is its child)
  kill -TERM "$APP_PID"; wait "$APP_PID"; APP_PID=""
  grep -h -e "DPDK stack stopped" -e "^served" "$1" >&2 || true
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
# start precompiled (ReadyToRun). So the client warms each server, pipelined and not, for at least 3 rounds of 2 s and
# until a round costs the JIT thread at most 2 ticks (20 ms), at most 20 rounds; the rounds taken are reported. (The
# runtime ends that thread when it idles and starts another: a round it spans is undercounted, hence the minimum.)
warm_up() { # warm_up <round command...>: sets R_WARM (rounds)
  local before after
  for R_WARM in $(seq 20); do
    before="$(jit_ticks)"
    "$@"
    after="$(jit_ticks)"
    echo "warm-up round $R_WARM: JIT thread $((after - before)) ticks" >&2
    if (( R_WARM >= 3 && after - before <= 2 )); then return; fi
  done
}

wrk_round() { # wrk_round <netns> <url>: 1 s plain, 1 s pipelined
  ip netns exec "$1" taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d1s "$2" >/dev/null
  ip netns exec "$1" taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d1s -s "$WORK/pipeline.lua" "$2" >/dev/null
}

# One server run with wrk: warm-up, then plain then pipelined; sets R_RPS R_P50 R_P99 R_ERR R_RPC, the same with _PL,
# R_ALLOC and R_WARM.
measure_wrk() { # measure_wrk <netns> <url> <log>
  ip netns exec "$1" curl -sS -m 10 "$2" >/dev/null
  warm_up wrk_round "$1" "$2"
  read -r R_RPS R_P50 R_P99 R_ERR R_RPC < <(run_wrk "$1" "$2")
  read -r R_RPS_PL R_P50_PL R_P99_PL R_ERR_PL R_RPC_PL < <(run_wrk "$1" "$2" "$WORK/pipeline.lua")
  stop_app "$3"; R_ALLOC="$ALLOC"
}

# The load generator (bench/http) runs as a coprocess on the client's CPU: it connects, prints "ready", then answers
# each "run <pipeline> <seconds>" with "result <rps> <p50 us> <p99 us> <2xx> <other> <failed connections>".
LOADGEN_PID=""
start_loadgen() { # start_loadgen <log> <load generator args...>
  local log="$1" line=""; shift
  coproc LG { exec taskset -c "$CLIENT_CPU" dotnet "$LOADGEN" "$@" 2>>"$log"; }
  LOADGEN_PID=$LG_PID
  read -r -t 60 line <&"${LG[0]}" || true
  [[ "$line" == ready* ]] || { echo "bench http: the load generator did not connect:" >&2; cat "$log" >&2; exit 1; }
}
lg_run() { # lg_run <pipeline> <seconds>: sets L_RPS L_P50 L_P99 L_OK L_NOTOK L_FAILED (no subshell: the coprocess's pipes stay here)
  local word=""
  echo "run $1 $2" >&"${LG[1]}"
  read -r -t $(( $2 + 60 )) word L_RPS L_P50 L_P99 L_OK L_NOTOK L_FAILED <&"${LG[0]}" || true
  [[ "$word" == result ]] || { echo "bench http: the load generator did not answer:" >&2; cat "$WORK/loadgen.log" >&2; exit 1; }
}
stop_loadgen() {
  echo quit >&"${LG[1]}"
  if ! wait "$LOADGEN_PID"; then echo "bench http: the load generator failed:" >&2; cat "$WORK/loadgen.log" >&2; exit 1; fi
  LOADGEN_PID=""
  tail -n 1 "$WORK/loadgen.log" >&2 # its stack's counters (drops by reason, retransmissions, mbufs)
  rm -f "$WORK/loadgen.log"
}
lg_round() { lg_run 1 1; lg_run 16 1; }
lg_measure() { # lg_measure <pipeline>: prints "rps p50_us p99_us errors requests_per_cpu_second" as run_wrk does
  local before after rpc errors=0
  before="$(app_ticks)"
  lg_run "$1" "$SECONDS_PER_RUN"
  after="$(app_ticks)"
  rpc="$(awk -v n=$((L_OK + L_NOTOK)) -v t=$((after - before)) 'BEGIN { printf "%.0f", (t > 0 ? n / (t / 100) : 0) }')"
  echo "load generator, pipeline $1: $L_RPS requests/s, p50 $L_P50 us, p99 $L_P99 us, non-2xx $L_NOTOK, failed connections $L_FAILED; server CPU: $((after - before)) ticks, $rpc requests per CPU-second" >&2
  if (( L_NOTOK > 0 || L_FAILED > 0 )); then errors=1; fi
  R_OUT="$L_RPS $L_P50 $L_P99 $errors $rpc"
}

# One server run with the load generator: the same steps as measure_wrk.
measure_lg() { # measure_lg <app log> <load generator args...>
  local log="$1"; shift
  start_loadgen "$WORK/loadgen.log" "$@"
  warm_up lg_round
  lg_measure 1; read -r R_RPS R_P50 R_P99 R_ERR R_RPC <<<"$R_OUT"
  lg_measure 16; read -r R_RPS_PL R_P50_PL R_P99_PL R_ERR_PL R_RPC_PL <<<"$R_OUT"
  stop_loadgen
  stop_app "$log"; R_ALLOC="$ALLOC"
}

# Results by run name: V[<name>_rps] and so on.
declare -A V
keep() { # keep <name>: files the R_* of the run just measured under <name>
  local k
  for k in RPS P50 P99 ERR RPC RPS_PL P50_PL P99_PL ERR_PL RPC_PL ALLOC WARM; do
    local var="R_$k"
    V["$1_${k,,}"]="${!var}"
  done
}

# Each transport twice: its default (Kestrel on the thread pool) and inline; the orders alternate so that a change of
# load in the shared machine does not favour one.
start_memif() { # start_memif <log> [app args...]: the DPDK server on the memif link's server end
  rm -f "$MEMIF_SOCKET"
  start_app "$1" --vdev "net_memif0,role=server,$MEMIF" --mac 02:00:00:00:53:02 --address 10.83.0.2/24 \
    --lcores "$SERVER_CPU" --rx-mode poll ${HTTP_BENCH_DPDK_ARGS:-} "${@:2}"
}
LG_STACK=(stack "10.83.0.2:$PORT" "$CONNECTIONS" "net_memif0,role=client,$MEMIF" 10.83.0.1/24 02:00:00:00:53:01 "$CLIENT_CPU")
LG_KERNEL=(kernel "127.0.0.1:$PORT" "$CONNECTIONS")
echo "--- DPDK: HelloHttp on net_memif (server, 10.83.0.2), the load generator's stack on its peer (client, 10.83.0.1)" >&2
start_memif "$WORK/memif.log"
measure_lg "$WORK/memif.log" "${LG_STACK[@]}"; keep dpdk
echo "--- kernel: HelloHttp on Kestrel's sockets, the load generator on 127.0.0.1" >&2
start_app "$WORK/loopback.log"
measure_lg "$WORK/loopback.log" "${LG_KERNEL[@]}"; keep kernel
echo "--- kernel, inline" >&2
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 start_app "$WORK/loopback-inline.log" --inline
measure_lg "$WORK/loopback-inline.log" "${LG_KERNEL[@]}"; keep kernel_inline
echo "--- DPDK, inline" >&2
start_memif "$WORK/memif-inline.log" --inline
measure_lg "$WORK/memif-inline.log" "${LG_STACK[@]}"; keep dpdk_inline

if [[ "$WRK" != 0 ]]; then
  ip netns add "$DNS"
  # The TAP goes with the app: each run makes it anew and moves its kernel end into the client's namespace.
  start_tap() { # start_tap <log> [app args...]
    local log="$1"; shift
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

  echo "--- wrk, DPDK: HelloHttp on $TAP (10.81.0.2), wrk in $DNS" >&2
  start_tap "$WORK/tap.log"
  measure_wrk "$DNS" "http://10.81.0.2:$PORT/" "$WORK/tap.log"; keep wrk_dpdk
  echo "--- wrk, kernel: HelloHttp on Kestrel's sockets, wrk in $KNS over a veth pair (10.82.0.2)" >&2
  start_app "$WORK/veth.log"
  measure_wrk "$KNS" "http://10.82.0.2:$PORT/" "$WORK/veth.log"; keep wrk_kernel
  echo "--- wrk, kernel, inline" >&2
  DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 start_app "$WORK/veth-inline.log" --inline
  measure_wrk "$KNS" "http://10.82.0.2:$PORT/" "$WORK/veth-inline.log"; keep wrk_kernel_inline
  echo "--- wrk, DPDK, inline" >&2
  start_tap "$WORK/tap-inline.log" --inline
  measure_wrk "$DNS" "http://10.81.0.2:$PORT/" "$WORK/tap-inline.log"; keep wrk_dpdk_inline
fi

# wrk sometimes reports a pipelined run's 99th percentile as 0.00us (its histogram, not the server): null then.
nonzero() { if [[ "$1" == "0" ]]; then echo null; else echo "$1"; fi; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
# The keys of one comparison: <prefix> is "" (the load generator's) or "wrk_"; the DPDK run is named <prefix>dpdk.
keys() { # keys <prefix>
  local p="$1" d="${1}dpdk" k="${1}kernel" di="${1}dpdk_inline" ki="${1}kernel_inline"
  printf '"%sdpdk_rps":%s,"%skernel_rps":%s,"%sratio_rps_dpdk_over_kernel":%s,' "$p" "${V[${d}_rps]}" "$p" "${V[${k}_rps]}" "$p" "$(ratio "${V[${d}_rps]}" "${V[${k}_rps]}")"
  printf '"%sdpdk_p50_us":%s,"%skernel_p50_us":%s,"%sdpdk_p99_us":%s,"%skernel_p99_us":%s,"%sratio_p99_kernel_over_dpdk":%s,' \
    "$p" "${V[${d}_p50]}" "$p" "${V[${k}_p50]}" "$p" "${V[${d}_p99]}" "$p" "${V[${k}_p99]}" "$p" "$(ratio "${V[${k}_p99]}" "${V[${d}_p99]}")"
  printf '"%sdpdk_rps_pipelined":%s,"%skernel_rps_pipelined":%s,"%sdpdk_p99_us_pipelined":%s,"%skernel_p99_us_pipelined":%s,' \
    "$p" "${V[${d}_rps_pl]}" "$p" "${V[${k}_rps_pl]}" "$p" "$(nonzero "${V[${d}_p99_pl]}")" "$p" "$(nonzero "${V[${k}_p99_pl]}")"
  printf '"%sbytes_allocated_per_request":%s,"%skernel_bytes_allocated_per_request":%s,"%serrors":%s,' \
    "$p" "${V[${d}_alloc]:-0}" "$p" "${V[${k}_alloc]:-0}" \
    "$p" "$((V[${d}_err] + V[${d}_err_pl] + V[${k}_err] + V[${k}_err_pl] + V[${di}_err] + V[${di}_err_pl] + V[${ki}_err] + V[${ki}_err_pl]))"
  printf '"%sdpdk_inline_rps":%s,"%skernel_inline_rps":%s,"%sratio_rps_dpdk_over_kernel_inline":%s,' "$p" "${V[${di}_rps]}" "$p" "${V[${ki}_rps]}" "$p" "$(ratio "${V[${di}_rps]}" "${V[${ki}_rps]}")"
  printf '"%sdpdk_inline_p50_us":%s,"%skernel_inline_p50_us":%s,"%sdpdk_inline_p99_us":%s,"%skernel_inline_p99_us":%s,"%sratio_p99_kernel_over_dpdk_inline":%s,' \
    "$p" "${V[${di}_p50]}" "$p" "${V[${ki}_p50]}" "$p" "${V[${di}_p99]}" "$p" "${V[${ki}_p99]}" "$p" "$(ratio "${V[${ki}_p99]}" "${V[${di}_p99]}")"
  printf '"%sdpdk_inline_rps_pipelined":%s,"%skernel_inline_rps_pipelined":%s,"%sdpdk_inline_p99_us_pipelined":%s,"%skernel_inline_p99_us_pipelined":%s,' \
    "$p" "${V[${di}_rps_pl]}" "$p" "${V[${ki}_rps_pl]}" "$p" "$(nonzero "${V[${di}_p99_pl]}")" "$p" "$(nonzero "${V[${ki}_p99_pl]}")"
  printf '"%sdpdk_inline_bytes_allocated_per_request":%s,"%skernel_inline_bytes_allocated_per_request":%s,' "$p" "${V[${di}_alloc]:-0}" "$p" "${V[${ki}_alloc]:-0}"
  printf '"%sdpdk_requests_per_cpu_second":%s,"%skernel_requests_per_cpu_second":%s,"%sratio_requests_per_cpu_second_dpdk_over_kernel":%s,' \
    "$p" "${V[${d}_rpc]}" "$p" "${V[${k}_rpc]}" "$p" "$(ratio "${V[${d}_rpc]}" "${V[${k}_rpc]}")"
  printf '"%sdpdk_inline_requests_per_cpu_second":%s,"%skernel_inline_requests_per_cpu_second":%s,"%sratio_requests_per_cpu_second_dpdk_inline_over_kernel_inline":%s,' \
    "$p" "${V[${di}_rpc]}" "$p" "${V[${ki}_rpc]}" "$p" "$(ratio "${V[${di}_rpc]}" "${V[${ki}_rpc]}")"
  printf '"%srequests_per_cpu_second_pipelined":{"dpdk":%s,"kernel":%s,"dpdk_inline":%s,"kernel_inline":%s},' \
    "$p" "${V[${d}_rpc_pl]}" "${V[${k}_rpc_pl]}" "${V[${di}_rpc_pl]}" "${V[${ki}_rpc_pl]}"
  printf '"%swarm_up_rounds":[%s,%s,%s,%s],' "$p" "${V[${d}_warm]}" "${V[${k}_warm]}" "${V[${ki}_warm]}" "${V[${di}_warm]}"
}
printf '{"bench":"http","seconds":%s,"connections":%s,"server_cpus":1,' "$SECONDS_PER_RUN" "$CONNECTIONS"
keys ""
printf '"dpdk_path":"load generator (DpdkSharp stack, own process, busy-polling) -> net_memif client -> shared memory -> net_memif server -> stack -> Kestrel",'
printf '"kernel_path":"load generator (System.Net.Sockets) -> kernel loopback 127.0.0.1 -> kernel TCP -> Kestrel sockets",'
if [[ "$WRK" != 0 ]]; then
  keys wrk_
  printf '"wrk_dpdk_path":"wrk in a namespace -> kernel TAP -> net_tap -> stack","wrk_kernel_path":"wrk in a namespace -> veth -> kernel TCP",'
fi
printf '"load_average_1m":%s}\n' "$(cut -d' ' -f1 /proc/loadavg)"
