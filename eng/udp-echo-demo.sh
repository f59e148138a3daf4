#!/usr/bin/env bash
# The UDP echo sample against the Linux kernel: the sample creates a TAP interface through
# DPDK's net_tap; this script moves the kernel end into a network namespace of its own
# (10.77.0.1/24, the sample is 10.77.0.2/24), pings the sample and sends it UDP with socat,
# prints what came back, and removes everything it made on exit (trap). Needs root.
set -euo pipefail

IFACE="dtapecho$$"; IFACE="${IFACE:0:15}"
NETNS="dpdksharp-echo-$$"
KERNEL_IP=10.77.0.1
STACK_IP=10.77.0.2
PORT=7
LOG="$(mktemp)"

SAMPLE=UdpEcho
DLL_NAME=DpdkSharp.Samples.UdpEcho.dll
# shellcheck source=lib/echo-demo.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/echo-demo.sh"
trap demo_cleanup EXIT
demo_start

echo "--- ping (ICMP echo, then 4000 bytes: fragmented by the kernel, reassembled by the stack)"
ip netns exec "$NETNS" ping -c 5 -i 0.2 "$STACK_IP" | tail -2
ip netns exec "$NETNS" ping -c 3 -i 0.2 -s 4000 "$STACK_IP" | tail -2
echo "--- ARP entry the kernel learned"
ip -n "$NETNS" neigh show "$STACK_IP"

echo "--- UDP via socat"
FAIL=0
for msg in "hello, DPDK" "$(head -c 3000 /dev/zero | tr '\0' 'x')"; do
  reply="$(printf '%s' "$msg" | ip netns exec "$NETNS" socat -t 2 -T 3 - "UDP4:$STACK_IP:$PORT")"
  if [[ "$reply" == "$msg" ]]; then
    echo "sent ${#msg} bytes, echoed ${#reply} bytes: ok"
  else
    echo "sent ${#msg} bytes, got ${#reply} bytes back: MISMATCH"; FAIL=1
  fi
done

echo "--- UDP to a closed port (the stack answers ICMP port unreachable)"
# Two datagrams a second apart: the ICMP error for the first fails socat's next read or write.
out="$( (printf 'x'; sleep 1; printf 'y') | ip netns exec "$NETNS" socat -t 2 -T 3 - "UDP4:$STACK_IP:9" 2>&1 || true)"
if grep -q "Connection refused" <<<"$out"; then
  echo "port 9: $(grep -o '[^]]*: Connection refused' <<<"$out" | head -1 | sed 's/^ *//'): ok"
else
  echo "port 9: NOT REFUSED"; FAIL=1
fi
exit $FAIL
