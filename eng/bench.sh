#!/usr/bin/env bash
# Whole-process benchmarks, each against its C or kernel reference.
# Usage: eng/bench.sh forward [rounds] | eng/bench.sh udp-echo [rounds] [seconds-per-round]
#        eng/bench.sh udp-echo-count [warm-up-seconds] [count-seconds] | eng/bench.sh udp-echo-steps [warm-up-seconds] [calls]
#        eng/bench.sh latency [idle-requests] [seconds-at-10k] [rounds] | eng/bench.sh http [seconds] [connections]
#        eng/bench.sh tcp [rounds] [bulk-seconds-per-round] [rr-seconds-per-round] [send-buffer-bytes]
#        eng/bench.sh pktgen [rounds=5] [seconds-per-window] [search-budget-seconds] | eng/bench.sh pktgen-steps [iterations=3]
# Prints the benchmark's JSON line on stdout (build output goes to stderr).
set -euo pipefail
cd "$(dirname "$0")/.."

# The C references are compiled here: say what is missing rather than fail halfway through a build.
require_gcc() {
  local tool
  for tool in gcc pkg-config; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "bench: $tool is missing; the C reference needs it (bash eng/setup.sh installs it)" >&2
      exit 1
    fi
  done
  if ! pkg-config --exists libdpdk; then
    echo "bench: libdpdk is not found by pkg-config; the C reference builds against it (bash eng/setup.sh installs it)" >&2
    exit 1
  fi
}

# The UDP echo program, its C reference and the callgrind toggle library (the count mode's), into $1.
build_udp_echo_count() {
  dotnet build bench/udp-echo/UdpEcho.csproj -c Release -nologo -v:q >&2
  gcc -std=gnu11 -O3 -march=native -fPIC -shared -Wall -Wextra -Werror $(pkg-config --cflags libdpdk) \
    -o "$1/libdpdksharp_bench_udp_echo.so" bench/udp-echo/native/udp_echo.c $(pkg-config --libs libdpdk) >&2
  gcc -std=gnu11 -O2 -fPIC -shared -Wall -Wextra -Werror -o "$1/libdpdksharp_bench_callgrind.so" bench/udp-echo/native/callgrind_toggle.c >&2
}

case "${1:-}" in
  forward)
    out=bench/forward/bin/Release/net10.0
    require_gcc
    dotnet build bench/forward/Forward.csproj -c Release -nologo -v:q >&2
    # The C loop: gcc -O3 against the installed DPDK, beside the C# program.
    gcc -std=gnu11 -O3 -march=native -fPIC -shared $(pkg-config --cflags libdpdk) \
      -o "$out/libdpdksharp_bench_forward.so" bench/forward/native/forward.c $(pkg-config --libs libdpdk) -lrte_net_ring >&2
    dotnet "$out/DpdkSharp.Bench.Forward.dll" "$out/libdpdksharp_bench_forward.so" "${2:-21}"
    ;;
  udp-echo)
    # The stack's UDP echo over a net_ring pair against a kernel UDP echo on 127.0.0.1 (same window), and its
    # one-core cost against the C reference's (native/udp_echo.c: gcc -O3 against the installed DPDK, beside the C# program).
    out=bench/udp-echo/bin/Release/net10.0
    require_gcc
    dotnet build bench/udp-echo/UdpEcho.csproj -c Release -nologo -v:q >&2
    gcc -std=gnu11 -O3 -march=native -fPIC -shared -Wall -Wextra -Werror $(pkg-config --cflags libdpdk) \
      -o "$out/libdpdksharp_bench_udp_echo.so" bench/udp-echo/native/udp_echo.c $(pkg-config --libs libdpdk) >&2
    dotnet "$out/DpdkSharp.Bench.UdpEcho.dll" "${2:-5}" "${3:-3}" 256 "$out/libdpdksharp_bench_udp_echo.so"
    ;;
  udp-echo-steps)
    # Instructions per echo of the stack's native tier-1 code: gdb single-steps a few calls of the core's per-frame
    # receive (ReceiveFrame: parse, demux, handler, reply built in place, handed to the sink) and of the one-core lane's
    # whole poll (StackEcho.Poll: receive burst, every frame, transmit burst, free), callees included, DPDK's C too
    # (eng/jit-steps.py). Exact and load-independent, unlike the timings; unlike udp-echo-count, the code counted is
    # what the JIT runs natively.
    # Usage: eng/bench.sh udp-echo-steps [warm-up-seconds] [calls]
    out=bench/udp-echo/bin/Release/net10.0
    require_gcc
    if ! command -v gdb >/dev/null 2>&1; then
      echo "bench: gdb is missing (apt-get install gdb)" >&2
      exit 1
    fi
    build_udp_echo_count "$out"
    warm=${2:-15}
    calls=${3:-2}
    # The one-core stack lane alone, warming up (tiering, PGO), then echoing for longer than the stepping takes; it is
    # stopped once the calls are counted.
    DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 dotnet "$out/DpdkSharp.Bench.UdpEcho.dll" count cs \
      $((warm + 240)) 1 "$out/libdpdksharp_bench_udp_echo.so" "$out/libdpdksharp_bench_callgrind.so" >/dev/null 2>&1 &
    pid=$!
    sleep "$warm"
    for method in 'NetworkInterfaceCore::ReceiveFrame' 'StackEcho::Poll'; do
      STEPS_MAP=/tmp/perf-$pid.map STEPS_METHOD="$method" STEPS_CALLS=$calls STEPS_FRAME='NetworkInterfaceCore::ReceiveFrame' \
        PYTHONPATH=eng timeout 600 gdb -p "$pid" -batch -x eng/jit-steps.py 2>&1 | sed -n 's/^STEPS //p'
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    ;;
  udp-echo-count)
    # Instructions per echo of each one-core lane (stack and C) under callgrind, collected only inside the echo's
    # polls: load-independent, unlike the timings. Usage: eng/bench.sh udp-echo-count [warm-up-seconds] [count-seconds]
    out=bench/udp-echo/bin/Release/net10.0
    require_gcc
    if ! command -v valgrind >/dev/null 2>&1 || [ ! -f /usr/include/valgrind/callgrind.h ]; then
      echo "bench: valgrind (and its callgrind.h) is missing" >&2
      exit 1
    fi
    build_udp_echo_count "$out"
    count_dir=$(mktemp -d)
    for lane in cs c; do
      # The JIT's code has no symbols for callgrind: the perf map names it (eng/callgrind-jit.py reads both).
      DOTNET_PerfMapEnabled=1 valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$count_dir/$lane.%p" \
        dotnet "$out/DpdkSharp.Bench.UdpEcho.dll" count "$lane" "${2:-20}" "${3:-20}" "$out/libdpdksharp_bench_udp_echo.so" \
        "$out/libdpdksharp_bench_callgrind.so" >"$count_dir/$lane.json" 2>"$count_dir/$lane.err" || { cat "$count_dir/$lane.err" >&2; exit 1; }
      packets=$(sed -n 's/.*"counted_packets":\([0-9]*\).*/\1/p' "$count_dir/$lane.json")
      file=$(ls "$count_dir/$lane".[0-9]* | head -n 1)
      total=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$file")
      echo "{\"lane\":\"$lane\",\"packets\":$packets,\"instructions\":$total,\"instructions_per_packet\":$(awk -v t="$total" -v p="$packets" 'BEGIN { printf "%.1f", t / p }'),\"callgrind_out\":\"$file\"}"
    done
    ;;
  latency)
    # UDP request/response latency from a kernel namespace to the stack on net_tap in each RX mode, and to a
    # kernel UDP echo over a veth pair (the reference), idle and at 10k requests/s; the reactor's idle CPU.
    out=bench/latency/bin/Release/net10.0
    dotnet build bench/latency/Latency.csproj -c Release -nologo -v:q >&2
    prefix="dpl$$"
    # The program deletes its namespaces (their veth and TAP interfaces go with them); this covers a kill mid-run.
    latency_cleanup() {
      ip netns list | awk -v p="$prefix-" 'index($1, p) == 1 { print $1 }' | while read -r ns; do ip netns del "$ns" || true; done
    }
    trap latency_cleanup EXIT
    dotnet "$out/DpdkSharp.Bench.Latency.dll" run "$prefix" "${2:-8000}" "${3:-3}" "${4:-8}"
    ;;
  tcp)
    # Bulk transfer and 64-byte request/response between two stack instances on a net_ring pair, driven on one
    # core, against kernel loopback TCP with the same MSS (1460) and buffers, rounds alternating (bench/tcp/README.md).
    out=bench/tcp/bin/Release/net10.0
    dotnet build bench/tcp/Tcp.csproj -c Release -nologo -v:q >&2
    tcp_args=("${2:-5}" "${3:-2}" "${4:-1}" "${5:-262144}")
    if [ "${KERNEL_GSO:-0}" = "1" ]; then
      # For comparison only: the host's loopback, where GSO hands TCP's segments down as ~45 KB super-packets.
      dotnet "$out/DpdkSharp.Bench.Tcp.dll" "${tcp_args[@]}"
    else
      # The same MSS for real: in a namespace of its own whose loopback has GSO and TSO off, so the kernel
      # hands each 1448-byte segment down as a packet and pays its per-packet costs per segment, as the stack
      # does. (gso_max_segs 1 instead collapses into retransmission stalls here.) The stack's side is a
      # net_ring pair in memory and does not care which namespace it runs in.
      if ! command -v ethtool >/dev/null 2>&1; then
        echo "bench: ethtool is missing; the kernel reference turns GSO off with it (bash eng/setup.sh installs it)" >&2
        exit 1
      fi
      tcp_ns="dpt$$"
      trap 'ip netns del "$tcp_ns" 2>/dev/null || true' EXIT
      ip netns add "$tcp_ns"
      ip -n "$tcp_ns" link set lo up
      ip netns exec "$tcp_ns" ethtool -K lo gso off tso off >&2
      ip netns exec "$tcp_ns" dotnet "$out/DpdkSharp.Bench.Tcp.dll" "${tcp_args[@]}"
    fi
    ;;
  http)
    # HelloHttp's plaintext GET / on DPDK and on Kestrel's kernel sockets, the same app, client and CPUs: the
    # bench/http load generator over a net_memif link against loopback (the headline), and wrk from a namespace over
    # net_tap against veth (wrk_*): see eng/http-bench.sh and bench/http/README.md.
    bash eng/http-bench.sh "${2:-5}" "${3:-64}"
    ;;
  pktgen)
    # dpdksharp-pktgen against dpdk-testpmd on one net_memif link, each side its own process: tx vs txonly, reflect vs
    # macswap (rounds interleaved, medians), the highest sendrecv<->reflect rate with loss < 0.001 %, p99 at half of it.
    if ! command -v dpdk-testpmd >/dev/null 2>&1; then
      echo "bench: dpdk-testpmd is missing; it is the reference (Debian's dpdk-dev: bash eng/setup.sh installs it)" >&2
      exit 1
    fi
    out=bench/pktgen/bin/Release/net10.0
    dotnet build bench/pktgen/Pktgen.csproj -c Release -nologo -v:q >&2
    # Every process of the run on 2-MB hugepages (bench/pktgen/README.md: with --no-huge's 4-KB pages a round's rate
    # depended on which physical pages it got). 400 pages more than the machine had, on a private hugetlbfs mount;
    # both are given back at the end. PKTGEN_BENCH_HUGEPAGES=0 runs on --no-huge as before.
    if [[ "${PKTGEN_BENCH_HUGEPAGES:-1}" != 0 ]]; then
      pages_file=/proc/sys/vm/nr_hugepages
      pages_before="$(cat "$pages_file")"
      huge_dir="$(mktemp -d)"
      pktgen_hugepages_cleanup() {
        umount "$huge_dir" 2>/dev/null || true
        rmdir "$huge_dir" 2>/dev/null || true
        echo "$pages_before" >"$pages_file" || true
      }
      trap pktgen_hugepages_cleanup EXIT
      echo $((pages_before + 400)) >"$pages_file"
      if (( $(cat "$pages_file") < pages_before + 400 )); then
        echo "bench: could not reserve 400 hugepages (got $(( $(cat "$pages_file") - pages_before ))); PKTGEN_BENCH_HUGEPAGES=0 runs without them" >&2
        exit 1
      fi
      mount -t hugetlbfs -o pagesize=2M nodev "$huge_dir"
      export PKTGEN_BENCH_HUGE_DIR="$huge_dir"
    fi
    dotnet "$out/DpdkSharp.Bench.Pktgen.dll" "${2:-5}" "${3:-3}" "${4:-120}"
    ;;
  pktgen-steps)
    # Instructions per reflected frame: our reflect, testpmd macswap and 5tswap, each driven by testpmd flowgen over
    # net_memif (eng/pktgen-steps.sh): exact and load-independent, where the timed reflect comparison is bound by its driver.
    bash eng/pktgen-steps.sh "${2:-3}"
    ;;
  *)
    echo "usage: eng/bench.sh forward [rounds] | udp-echo [rounds] [seconds-per-round] | latency [idle-requests] [seconds-at-10k] | tcp [rounds] [bulk-seconds] [rr-seconds] [send-buffer-bytes] | http [seconds] [connections] | pktgen [rounds] [seconds] [search-budget-seconds] | pktgen-steps [iterations]" >&2
    exit 2
    ;;
esac
