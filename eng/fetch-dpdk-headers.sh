#!/usr/bin/env bash
# Fetches the libdpdk-dev headers of another DPDK version from Debian's archive, without installing
# anything system-wide: a private apt sources list and state under .dpdk-versions/apt, `apt-get
# download`, then `dpkg-deb -x` into .dpdk-versions/<version>/root (ignored by git).
#   eng/fetch-dpdk-headers.sh 24.11|25.11
# Idempotent: an already unpacked version is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:?usage: eng/fetch-dpdk-headers.sh 24.11|25.11}
case "$version" in
  24.11) suite=trixie ;;
  25.11) suite=sid ;;
  *) echo "fetch-dpdk-headers: unknown DPDK version '$version' (known: 24.11 from trixie, 25.11 from sid;" \
          "22.11 is the installed one, see eng/setup.sh)" >&2; exit 2 ;;
esac

dest=.dpdk-versions/$version
if [ -f "$dest/root/usr/lib/x86_64-linux-gnu/pkgconfig/libdpdk.pc" ]; then
  echo "fetch-dpdk-headers: DPDK $version already unpacked in $dest/root"
  exit 0
fi

apt_dir=$PWD/.dpdk-versions/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$dest"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" \
  > "$apt_dir/sources.list"
apt_opts=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o Dir::State::Status=/dev/null
  -o APT::Sandbox::User=root
)
apt-get "${apt_opts[@]}" update -qq
full=$(apt-cache "${apt_opts[@]}" madison libdpdk-dev | awk -v v="$version" '$3 ~ "^"v"\\." {print $3; exit}')
if [ -z "$full" ]; then
  echo "fetch-dpdk-headers: Debian $suite has no libdpdk-dev $version.x" >&2
  exit 1
fi
(cd "$dest" && apt-get "${apt_opts[@]}" download "libdpdk-dev=$full" >/dev/null)
dpkg-deb -x "$dest"/libdpdk-dev_*.deb "$dest/root"
rm -f "$dest"/libdpdk-dev_*.deb
echo "fetch-dpdk-headers: DPDK $full unpacked in $dest/root"
