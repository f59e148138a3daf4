#!/usr/bin/env bash
# Shared by the echo demos (sourced): build and start a sample on a net_tap interface, move the
# kernel end of the TAP into a network namespace of its own, and remove everything on exit.
# The caller sets SAMPLE (project folder under samples/), DLL_NAME, IFACE, NETNS, KERNEL_IP, STACK_IP,
# PORT and LOG, then calls demo_start with the sample's extra arguments.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SERVER_PID=""

demo_cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true   # the sample closes the port: the TAP goes away
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  ip netns del "$NETNS" 2>/dev/null || true
  echo "--- server log"; cat "$LOG"; rm -f "$LOG"
  if ip netns list | grep -q "$NETNS" || ip -o link show | grep -q "$IFACE"; then
    echo "cleanup: $NETNS or $IFACE still present" >&2
  else
    echo "cleanup: namespace and TAP interface removed"
  fi
}

demo_start() {
  [[ $EUID -eq 0 ]] || { echo "run as root (DPDK, TAP, network namespaces)" >&2; exit 1; }
  command -v socat >/dev/null || { echo "socat is missing (apt-get install socat)" >&2; exit 1; }

  echo "--- building the sample"
  dotnet build "$ROOT/samples/$SAMPLE" -c Release -v quiet -nologo >/dev/null
  local dll
  dll="$(find "$ROOT/samples/$SAMPLE/bin/Release" -name "$DLL_NAME" | head -1)"

  echo "--- starting the $SAMPLE server on $IFACE ($STACK_IP, port $PORT)"
  dotnet "$dll" --iface "$IFACE" --address "$STACK_IP/24" --port "$PORT" "$@" >"$LOG" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do grep -q '^ready' "$LOG" && break; sleep 0.1; done
  grep -q '^ready' "$LOG" || { echo "the server did not start" >&2; exit 1; }

  echo "--- kernel side: $IFACE into namespace $NETNS as $KERNEL_IP/24"
  ip netns add "$NETNS"
  ip link set "$IFACE" netns "$NETNS"
  ip -n "$NETNS" addr add "$KERNEL_IP/24" dev "$IFACE"
  ip -n "$NETNS" link set "$IFACE" up
}
