#!/usr/bin/env bash
# Prints the C flags for one DPDK version: the installed one (pkg-config --cflags libdpdk), or a
# version fetched by eng/fetch-dpdk-headers.sh (its own libdpdk.pc, rooted in its folder).
#   eng/dpdk-cflags.sh [installed|22.11|24.11|25.11]
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-installed}
installed=$(pkg-config --modversion libdpdk 2>/dev/null || true)
if [ "$version" = installed ] || [[ "$installed" == "$version".* ]]; then
  pkg-config --cflags libdpdk || { echo "dpdk-cflags: libdpdk not found; run eng/setup.sh" >&2; exit 1; }
  exit 0
fi
root=$PWD/.dpdk-versions/$version/root
if [ ! -d "$root" ]; then
  echo "dpdk-cflags: DPDK $version is not fetched; run eng/fetch-dpdk-headers.sh $version" >&2
  exit 1
fi
PKG_CONFIG_PATH=$root/usr/lib/x86_64-linux-gnu/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root pkg-config --cflags libdpdk
