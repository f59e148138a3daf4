#!/usr/bin/env bash
# The main job: UDP and TCP echo servers on DPDK's userspace stack, exercised by the Linux kernel. After
# setup, eng/udp-echo-demo.sh builds the UdpEcho sample (which generates the bindings from the installed
# DPDK), starts it on a net_tap interface, moves the kernel end into a network namespace of its own, pings
# the stack (small and fragmented), echoes UDP datagrams through it with socat and shows "connection
# refused" from a closed port; eng/tcp-echo-demo.sh does the same for TCP with the TcpEcho sample: socat
# connects from the namespace, sends a few MB, compares the sha256 of what came back, closes cleanly, sees
# a closed port's RST, and stops the server gracefully. Both print what happened and remove everything they
# made. Needs root; no NICs, no hugepages.
set -euo pipefail
cd "$(dirname "$0")/.."
bash eng/setup.sh
bash eng/udp-echo-demo.sh
bash eng/tcp-echo-demo.sh
