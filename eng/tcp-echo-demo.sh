#!/usr/bin/env bash
# The TCP echo sample against the Linux kernel: the sample creates a TAP interface through DPDK's
# net_tap; this script moves the kernel end into a network namespace of its own (10.78.0.1/24, the
# sample is 10.78.0.2/24), connects with socat from the namespace, sends a few MB through the
# stack's TCP, compares the sha256 of what came back, shows a closed port's RST as "connection
# refused", stops the sample with SIGTERM (its open connections get FINs) and removes everything it
# made on exit (trap). Needs root.
set -euo pipefail

IFACE="dtcpecho$$"; IFACE="${IFACE:0:15}"
NETNS="dpdksharp-tcp-$$"
KERNEL_IP=10.78.0.1
STACK_IP=10.78.0.2
PORT=7
MB="${TCP_DEMO_MB:-8}"
LOG="$(mktemp)"
WORK="$(mktemp -d)"

SAMPLE=TcpEcho
DLL_NAME=DpdkSharp.Samples.TcpEcho.dll
# shellcheck source=lib/echo-demo.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/echo-demo.sh"
trap 'demo_cleanup; rm -rf "$WORK"' EXIT
demo_start
ip netns exec "$NETNS" ping -c 2 -i 0.2 -W 2 "$STACK_IP" | tail -1

FAIL=0
echo "--- $MB MB through the stack's TCP (socat in the namespace), then a clean close"
head -c "$((MB * 1024 * 1024))" /dev/urandom >"$WORK/sent"
start=$(date +%s.%N)
# socat half-closes after sending everything (-t waits for the echo to finish, then the server's FIN ends it).
ip netns exec "$NETNS" socat -t 30 -T 30 -b 65536 - "TCP4:$STACK_IP:$PORT" <"$WORK/sent" >"$WORK/received" || FAIL=1
end=$(date +%s.%N)
sent_sum="$(sha256sum <"$WORK/sent" | cut -d' ' -f1)"
received_sum="$(sha256sum <"$WORK/received" | cut -d' ' -f1)"
echo "sent     sha256 $sent_sum ($(stat -c %s "$WORK/sent") bytes)"
echo "received sha256 $received_sum ($(stat -c %s "$WORK/received") bytes) in $(printf '%.2f' "$(echo "$end - $start" | bc)") s"
if [[ "$sent_sum" == "$received_sum" ]]; then echo "echo: ok"; else echo "echo: MISMATCH"; FAIL=1; fi

echo "--- a closed port: the stack answers RST"
out="$(ip netns exec "$NETNS" socat -T 3 - "TCP4:$STACK_IP:9" </dev/null 2>&1 || true)"
if grep -q "Connection refused" <<<"$out"; then echo "port 9: connection refused: ok"; else echo "port 9: NOT REFUSED ($out)"; FAIL=1; fi

echo "--- stopping the server (SIGTERM): it closes gracefully and prints its counters"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || { echo "the server exited with $?"; FAIL=1; }
SERVER_PID=""
grep -q '^stopped' "$LOG" || { echo "no counters printed"; FAIL=1; }
exit $FAIL
