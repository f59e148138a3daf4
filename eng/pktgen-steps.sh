#!/usr/bin/env bash
# eng/bench.sh pktgen-steps [iterations=3]: instructions per reflected frame of our reflect and of dpdk-testpmd's
# macswap and 5tswap (5tswap swaps MAC, IP addresses and ports, the work ours does; macswap only the MACs), each as the
# memif client on CPU 1 driven by testpmd flowgen (the server, CPU 0), counted by single-stepping the reflector's
# polling thread (eng/burst-steps.py). While gdb holds the reflector the driver fills the ring, so every counted
# iteration is a full burst of 32 for all three. Exact and load-independent: the timing comparison (eng/bench.sh pktgen)
# cannot tell reflectors apart on a 2-vCPU machine, where the driver is the bottleneck (bench/pktgen/README.md).
# Prints one JSON line per reflector. Root; about a minute per reflector.
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${1:-3}"
for tool in dpdk-testpmd gdb; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "pktgen-steps: $tool is missing (bash eng/setup.sh installs dpdk-testpmd; apt-get install gdb)" >&2
    exit 1
  fi
done
dotnet build tools/DpdkSharp.Pktgen/DpdkSharp.Pktgen.csproj -c Release -nologo -v:q >&2
pktgen=tools/DpdkSharp.Pktgen/bin/Release/net10.0/dpdksharp-pktgen.dll
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
eal=(--no-huge -m 256 --no-pci --no-shconf --no-telemetry)

count() {
  local reflector="$1" run="$work/$1"
  mkdir -p "$run"
  local socket="$run/memif.sock"
  local vdev="net_memif0,id=0,socket=$socket,socket-abstract=no,rsize=12"
  mkfifo "$run/peer.in"
  exec 3<>"$run/peer.in"
  stdbuf -oL dpdk-testpmd --lcores 0@0,1@0 "${eal[@]}" --file-prefix "steps-peer-$$" --vdev "$vdev,role=server" -- \
    -i --forward-mode=flowgen --total-num-mbufs=16384 --no-mlockall --txpkts=60 <&3 >"$run/peer.log" 2>&1 &
  local peer=$!
  pids+=("$peer")
  sleep 2
  echo start >&3
  local measured map=""
  if [[ "$reflector" == ours ]]; then
    DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 dotnet "$pktgen" --lcores 0@1,1@1 "${eal[@]}" \
      --file-prefix "steps-ours-$$" --vdev "$vdev,role=client" -- reflect --duration 0 --format json \
      >"$run/measured.log" 2>&1 &
    measured=$!
    map="/tmp/perf-$measured.map"
  else
    mkfifo "$run/measured.in"
    exec 4<>"$run/measured.in"
    stdbuf -oL dpdk-testpmd --lcores 0@1,1@1 "${eal[@]}" --file-prefix "steps-testpmd-$$" --vdev "$vdev,role=client" -- \
      -i --forward-mode="$reflector" --total-num-mbufs=16384 --no-mlockall <&4 >"$run/measured.log" 2>&1 &
    measured=$!
    sleep 2
    echo start >&4
  fi
  pids+=("$measured")
  # Warm: the JIT's tiers settled, the ring in steady state.
  sleep 8
  local tid
  tid="$(for task in /proc/"$measured"/task/*; do [[ "$(cat "$task/comm")" == rte-worker-1 ]] && basename "$task"; done | head -n 1)"
  if [[ -z "$tid" ]]; then
    echo "pktgen-steps: $reflector has no rte-worker-1 thread; its log:" >&2
    cat "$run/measured.log" >&2
    exit 1
  fi
  local line
  line="$(BURST_TID="$tid" BURST_ITERATIONS="$iterations" BURST_PERF_MAP="$map" timeout 900 \
    gdb -p "$measured" -batch -x eng/burst-steps.py 2>&1 | sed -n 's/^BURST //p')"
  # The driver stops first: testpmd 22.11 can crash polling a memif port whose peer is leaving.
  echo stop >&3
  sleep 0.5
  if [[ "$reflector" == ours ]]; then
    kill -TERM "$measured" 2>/dev/null || true
  else
    echo stop >&4
    sleep 0.3
    echo quit >&4
  fi
  wait "$measured" 2>/dev/null || true
  echo quit >&3
  wait "$peer" 2>/dev/null || true
  exec 3>&- 4>&- || true
  if [[ -z "$line" ]]; then
    echo "pktgen-steps: gdb counted nothing for $reflector" >&2
    exit 1
  fi
  echo "{\"reflector\":\"$reflector\",${line#\{}"
}

for reflector in ours macswap 5tswap; do
  count "$reflector"
done
