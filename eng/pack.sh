#!/usr/bin/env bash
# Packs the packages users need into one folder (a local feed): the generator library and the dpdksharp-gen
# tool, the bindings (with the native shim built for the installed DPDK), the runtime, Wire, the stack, its
# testing kit and its DPDK binding, each with its .snupkg. Samples, benchmarks and tests are not packable.
#   bash eng/pack.sh <output-folder> [<build-folder>]
# The Release build goes to <build-folder> (default artifacts/pack-build), not to the projects' bin/ and obj/,
# so packing never disturbs a Debug build in the same tree. CI=true makes the build reproducible
# (ContinuousIntegrationBuild: source paths mapped to /_/). Exits non-zero unless exactly the expected
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
  DpdkSharp.Bindings
  DpdkSharp.Runtime
  DpdkSharp.Wire
  DpdkSharp.Stack
  DpdkSharp.Stack.Testing
  DpdkSharp.Stack.Dpdk
)

rm -f "$out"/*.nupkg "$out"/*.snupkg
dotnet pack DpdkSharp.sln -c Release -o "$out" --artifacts-path "$build" -nologo -v:q

version="$(dotnet msbuild stack/DpdkSharp.Wire -getProperty:PackageVersion -p:Configuration=Release)"
status=0
for id in "${expected[@]}"; do
  for ext in nupkg snupkg; do
    [ -f "$out/$id.$version.$ext" ] || { echo "pack: missing $id.$version.$ext" >&2; status=1; }
  done
done
count=$(find "$out" -maxdepth 1 -name '*.nupkg' | wc -l)
if [ "$count" -ne "${#expected[@]}" ]; then
  echo "pack: $count packages, expected ${#expected[@]} (unexpected: something not meant for users is packable)" >&2
  status=1
fi
ls -1 "$out"
exit $status
