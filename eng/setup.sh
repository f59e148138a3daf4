#!/usr/bin/env bash
# Installs, with apt, exactly the Debian packages DpdkSharp needs that are missing.
# Idempotent: when nothing is missing it says so and touches nothing (no apt-get update).
# It never changes hugepages or the host's network settings; tests create and remove their own
# TAP devices and namespaces.
set -euo pipefail

# Each package and why we need it.
packages=(
  libdpdk-dev      # DPDK 22.11 headers and libraries: the generator binds them, the shim links them
  dpdk             # DPDK's tools and drivers (net_ring, net_null, net_tap, net_memif PMDs)
  dpdk-dev         # DPDK's own C tools as peers: dpdk-testpmd, dpdk-dumpcap, dpdk-proc-info, dpdk-telemetry.py
  libclang-14-dev  # libclang 14: the generator parses C headers with it
  pkg-config       # clang and gcc flags for DPDK come from `pkg-config --cflags libdpdk`
  gcc              # compiles the native shim and the C layout checker
  iproute2         # ip netns / ip link for TAP interop tests
  iputils-ping     # the kernel side of ping interop tests
  socat            # the kernel side of UDP/TCP interop tests
  nftables         # nft: loss and duplication injected on the kernel side of the TCP fault tests (no netem here)
  openssl          # openssl s_server / s_client: the kernel side of the TLS interop test
  bc               # the TCP echo demo prints its transfer time
  curl             # the kernel side of the HTTP tests and demo (HTTP/1.1, h2c, HTTPS with h2)
  wrk              # load from the kernel side: the HTTP tests and demo
  nghttp2-client   # h2load and nghttp: HTTP/2 load and uploads from the kernel side in the HTTP tests
  tshark           # Wireshark's reader checks the pcapng files the runtime's capture writes
  ethtool          # the TCP benchmark turns GSO/TSO off on its namespace's loopback (the kernel at the same MSS)
  python3          # the HTTP demo computes the expected sha256 of its download
  zlib1g-dev       # zlib.h + libz.so: the generator's tests bind a real non-DPDK header (exported functions) and call it
  liburing-dev     # liburing.h: the generator's tests bind a real header of static inline functions (shim, layout checker)
  libsqlite3-dev   # sqlite3.h + libsqlite3.so: the generator's tests call sqlite through its pointer constants (SQLITE_TRANSIENT)
)

installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = "installed" ]
}

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed; nothing to do."
else
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run as root (or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: installed ${missing[*]}"
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET SDK (10.0.x, see global.json) is not on PATH; install it first." >&2
  exit 1
fi
