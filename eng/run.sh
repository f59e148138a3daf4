#!/usr/bin/env bash
# The main job, for now: DPDK driven from C# end to end. Setup, build (which generates the bindings from
# the installed DPDK and compiles the shim), then the Forwarder sample on two virtual devices for a few
# seconds: net_null0 produces 64-byte frames, the C# poll loop receives them in bursts and transmits them on
# net_null1; packet and byte counts per port are printed. Needs root (DPDK), no NICs, no hugepages.
set -euo pipefail
cd "$(dirname "$0")/.."

bash eng/setup.sh
echo "== build (generates DPDK's bindings on first run)"
dotnet build samples/Forwarder -c Release -nologo -v:q
report=bindings/DpdkSharp.Bindings/obj/dpdk-$(pkg-config --modversion libdpdk | cut -d. -f1,2)/report.json
[ -f "$report" ] && echo "bindings: $(grep -o '"boundExportedFunctions": *[0-9]*' "$report" | grep -o '[0-9]*$') exported and $(grep -o '"boundInlineFunctions": *[0-9]*' "$report" | grep -o '[0-9]*$') static inline functions bound"
echo "== forward for ${SECONDS_TO_RUN:-3} s: net_null0 -> C# -> net_null1"
dotnet samples/Forwarder/bin/Release/net10.0/DpdkSharp.Samples.Forwarder.dll --seconds "${SECONDS_TO_RUN:-3}" \
  --vdev net_null0,size=64 --vdev net_null1,size=64 --log-level lib.eal:warning
