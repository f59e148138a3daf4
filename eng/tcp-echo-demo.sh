#!/usr/bin/env bash
# The TCP echo sample against the Linux kernel: the sample creates a TAP interface through DPDK's
# net_tap; this script moves the kernel end into a network namespace of its own (10.78.0.1/24, the
# sample is 10.78.0.2/24), connects with socat from the namespace, sends a few MB through the
# stack's TCP, compares the sha256 of what came back, shows a closed port's RST as "connection
# refused", stops the sample with SIGTERM (its open connections get FINs) and removes everything it
# made on exit (trap). Needs root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IFACE="dtcpecho$$"; IFACE="${IFACE:0:15}"
NETNS="dpdksharp-tcp-$$"
KERNEL_IP=10.78.0.1
STACK_IP=10.78.0.2
PORT=7
MB="${TCP_DEMO_MB:-8}"
LOG="$(mktemp)"
WORK="$(mktemp -d)"
SERVER_PID=""

cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  ip netns del "$NETNS" 2>/dev/null || true
  echo "--- server log"; cat "$LOG"; rm -f "$LOG"; rm -rf "$WORK"
  if ip netns list | grep -q "$NETNS" || ip -o link show | grep -q "$IFACE"; then
    echo "cleanup: $NETNS or $IFACE still present" >&2
  else
    echo "cleanup: namespace and TAP interface removed"
  fi
}
trap cleanup EXIT

[[ $EUID -eq 0 ]] || { echo "run as root (DPDK, TAP, network namespaces)" >&2; exit 1; }
command -v socat >/dev/null || { echo "socat is missing (apt-get install socat)" >&2; exit 1; }

echo "--- building the sample"
dotnet build "$ROOT/samples/TcpEcho" -c Release -v quiet -nologo >/dev/null
DLL="$(find "$ROOT/samples/TcpEcho/bin/Release" -name DpdkSharp.Samples.TcpEcho.dll | head -1)"

echo "--- starting the TCP echo server on $IFACE ($STACK_IP, port $PORT)"
dotnet "$DLL" --iface "$IFACE" --address "$STACK_IP/24" --port "$PORT" >"$LOG" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do grep -q '^ready' "$LOG" && break; sleep 0.1; done
grep -q '^ready' "$LOG" || { echo "the server did not start" >&2; exit 1; }

echo "--- kernel side: $IFACE into namespace $NETNS as $KERNEL_IP/24"
ip netns add "$NETNS"
ip link set "$IFACE" netns "$NETNS"
ip -n "$NETNS" addr add "$KERNEL_IP/24" dev "$IFACE"
ip -n "$NETNS" link set "$IFACE" up
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
