#!/usr/bin/env bash
# ASP.NET Core on DPDK against the Linux kernel: the HelloHttp sample runs Kestrel on the stack's TCP
# (builder.WebHost.UseDpdk) on a TAP interface made by DPDK's net_tap; this script moves the kernel end
# into a network namespace of its own (10.79.0.1/24, the app is 10.79.0.2/24) and, from there, fetches
# with curl over HTTP/1.1, HTTP/2 with prior knowledge (h2c) and HTTPS with HTTP/2 chosen by ALPN
# (the app's self-signed certificate, made at start), downloads HTTP_DEMO_MB (default 100) MB checked
# by sha256, echoes a POST body, runs wrk for a few seconds when it is installed and prints its figures,
# stops the app with SIGTERM (a clean shutdown: open connections get FINs, every mbuf back) and removes
# everything it made on exit (trap). Needs root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IFACE="dhttp$$"; IFACE="${IFACE:0:15}"
NETNS="dpdksharp-http-$$"
KERNEL_IP=10.79.0.1
APP_IP=10.79.0.2
MB="${HTTP_DEMO_MB:-100}"
WRK_SECONDS="${HTTP_DEMO_WRK_SECONDS:-5}"
LOG="$(mktemp)"
WORK="$(mktemp -d)"
APP_PID=""

cleanup() {
  if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then
    kill -TERM "$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
  fi
  ip netns del "$NETNS" 2>/dev/null || true
  echo "--- app log"; cat "$LOG"; rm -f "$LOG"; rm -rf "$WORK"
  if ip netns list | grep -q "$NETNS" || ip -o link show | grep -q "$IFACE"; then
    echo "cleanup: $NETNS or $IFACE still present" >&2
  else
    echo "cleanup: namespace and TAP interface removed"
  fi
}
trap cleanup EXIT

[[ $EUID -eq 0 ]] || { echo "run as root (DPDK, TAP, network namespaces)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is missing (apt-get install curl)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is missing (it computes the expected sha256)" >&2; exit 1; }

echo "--- building the sample"
dotnet build "$ROOT/samples/HelloHttp" -c Release -v quiet -nologo >/dev/null
DLL="$(find "$ROOT/samples/HelloHttp/bin/Release" -name DpdkSharp.Samples.HelloHttp.dll | head -1)"

echo "--- starting HelloHttp on DPDK: $IFACE, $APP_IP (HTTP 8080, h2c 8081, HTTPS 8443)"
dotnet "$DLL" --iface "$IFACE" --address "$APP_IP/24" >"$LOG" 2>&1 &
APP_PID=$!
for _ in $(seq 300); do grep -q '^ready' "$LOG" && break; kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.1; done
grep -q '^ready' "$LOG" || { echo "the app did not start" >&2; exit 1; }
grep '^ready' "$LOG"

echo "--- kernel side: $IFACE into namespace $NETNS as $KERNEL_IP/24"
ip netns add "$NETNS"
ip link set "$IFACE" netns "$NETNS"
ip -n "$NETNS" addr add "$KERNEL_IP/24" dev "$IFACE"
ip -n "$NETNS" link set "$IFACE" up
ip -n "$NETNS" link set lo up
ns() { ip netns exec "$NETNS" "$@"; }

FAIL=0
check() { # check <name> <expected> <actual>
  if [[ "$2" == "$3" ]]; then echo "$1: ok ($3)"; else echo "$1: FAILED (expected '$2', got '$3')"; FAIL=1; fi
}

echo "--- curl"
check "HTTP/1.1 GET /" "Hello from DpdkSharp 1.1" "$(ns curl -sS -m 10 -w '%{http_version}' "http://$APP_IP:8080/" | tr '\n' ' ')"
check "h2c (prior knowledge) GET /json" '{"message":"Hello, World!"} 2' "$(ns curl -sS -m 10 --http2-prior-knowledge -w ' %{http_version}' "http://$APP_IP:8081/json")"
check "HTTPS, h2 by ALPN, GET /json" '{"message":"Hello, World!"} 2' "$(ns curl -sS -m 10 -k --http2 -w ' %{http_version}' "https://$APP_IP:8443/json")"
head -c 100000 /dev/urandom >"$WORK/post"
ns curl -sS -m 30 --data-binary @"$WORK/post" -H 'Content-Type: application/octet-stream' "http://$APP_IP:8080/echo" >"$WORK/echoed" || FAIL=1
check "POST /echo (100 kB)" "$(sha256sum <"$WORK/post" | cut -d' ' -f1)" "$(sha256sum <"$WORK/echoed" | cut -d' ' -f1)"

echo "--- $MB MB download (GET /bytes/n, byte i = i % 251) checked by sha256"
bytes=$((MB * 1024 * 1024))
expected="$(python3 -c "
import sys
block = bytes(i % 251 for i in range(251 * 4096))
n = $bytes
out = sys.stdout.buffer
while n > 0:
    out.write(block[:min(n, len(block))]); n -= len(block)
" | sha256sum | cut -d' ' -f1)"
start=$(date +%s.%N)
actual="$(ns curl -sS -m 300 "http://$APP_IP:8080/bytes/$bytes" | sha256sum | cut -d' ' -f1)"
end=$(date +%s.%N)
check "$MB MB sha256" "$expected" "$actual"
echo "download: $(python3 -c "print(f'{$bytes / ($end - $start) / 1e6:.1f} MB/s in {$end - $start:.2f} s')")"

if command -v wrk >/dev/null; then
  echo "--- wrk: 2 threads, 100 connections, $WRK_SECONDS s, GET /"
  ns wrk -t2 -c100 -d"${WRK_SECONDS}s" --latency "http://$APP_IP:8080/" | tee "$WORK/wrk"
  if grep -q "Socket errors" "$WORK/wrk"; then echo "wrk: socket errors"; FAIL=1; fi
  if grep -q "Non-2xx" "$WORK/wrk"; then echo "wrk: non-2xx responses"; FAIL=1; fi
else
  echo "--- wrk is not installed (apt-get install wrk): load run skipped"
fi

echo "--- stopping the app (SIGTERM): Kestrel drains, the stack closes and every mbuf returns"
kill -TERM "$APP_PID"
status=0
wait "$APP_PID" || status=$?
APP_PID=""
check "exit status" 0 "$status"
grep '^stopped' "$LOG" || { echo "no stop line"; FAIL=1; }
exit $FAIL
