#!/usr/bin/env bash
# The main job: a UDP echo server on DPDK's userspace stack, exercised by the Linux kernel. After setup,
# eng/udp-echo-demo.sh builds the UdpEcho sample (which generates the bindings from the installed DPDK),
# starts it on a net_tap interface, moves the kernel end into a network namespace of its own, pings the
# stack (small and fragmented), echoes UDP datagrams through it with socat, shows "connection refused"
# from a closed port, prints what happened and removes everything it made. Needs root; no NICs, no hugepages.
set -euo pipefail
cd "$(dirname "$0")/.."
bash eng/setup.sh
bash eng/udp-echo-demo.sh
