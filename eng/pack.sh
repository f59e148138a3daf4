#!/usr/bin/env bash
# Packs the packages users need into one folder (a local feed): the generator library and the dpdksharp-gen
# tool, the dpdksharp-pktgen tool, the bindings (with the native shim built for the installed DPDK), the runtime, Wire, the stack, its
# testing kit, its DPDK binding, its generic-host integration (DpdkSharp.Hosting) and the Kestrel transport (DpdkSharp.AspNetCore), each with its .snupkg. Samples, benchmarks and tests are not packable.
#   bash eng/pack.sh <output-folder> [<build-folder>]
# The Release build goes to <build-folder> (default artifacts/pack-build), not to the projects' bin/ and obj/,
# so packing never disturbs a Debug build in the same tree. The build is reproducible
# (ContinuousIntegrationBuild, passed below: source paths mapped to /_/). Exits non-zero unless exactly the expected
# packages were produced.
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -ge 1 ] || { echo "usage: bash eng/pack.sh <output-folder> [<build-folder>]" >&2; exit 2; }
out="$(mkdir -p "$1" && cd "$1" && pwd)"
build="${2:-artifacts/pack-build}"
mkdir -p "$build"
build="$(cd "$build" && pwd)"

expected=(
  DpdkSharp.Generator
  dpdksharp-gen
  dpdksharp-pktgen
  DpdkSharp.Bindings
  DpdkSharp.Runtime
  DpdkSharp.Wire
  DpdkSharp.Stack
  DpdkSharp.Stack.Testing
  DpdkSharp.Stack.Dpdk
  DpdkSharp.Hosting
  DpdkSharp.AspNetCore
)

# Zip entries dated from the commit, not the clock (NuGet's DeterministicTimestamp reads SOURCE_DATE_EPOCH):
# with the deterministic compile and the path mapping, one commit packs to the same bytes anywhere.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}"

# Packed into a fresh staging folder first, so the check below sees only what this pack produced and nothing
# else in <output-folder> (a feed may hold other packages) is touched.
staging="$build/packages"
rm -rf "$staging"
dotnet pack DpdkSharp.sln -c Release -o "$staging" --artifacts-path "$build" -p:ContinuousIntegrationBuild=true -nologo -v:q

version="$(dotnet msbuild stack/DpdkSharp.Wire -getProperty:PackageVersion -p:Configuration=Release)"
status=0
for id in "${expected[@]}"; do
  for ext in nupkg snupkg; do
    [ -f "$staging/$id.$version.$ext" ] || { echo "pack: missing $id.$version.$ext" >&2; status=1; }
  done
done
count=$(find "$staging" -maxdepth 1 -name '*.nupkg' | wc -l)
if [ "$count" -ne "${#expected[@]}" ]; then
  echo "pack: $count packages, expected ${#expected[@]} (unexpected: something not meant for users is packable):" >&2
  ls -1 "$staging" >&2
  status=1
fi
[ "$status" -eq 0 ] || exit "$status"
cp "$staging"/*.nupkg "$staging"/*.snupkg "$out"/
ls -1 "$staging"
