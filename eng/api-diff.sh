#!/usr/bin/env bash
# Writes the API changes between two DPDK versions (functions added/removed/changed, records whose
# layout changed, constants whose value changed) as Markdown.
#   eng/api-diff.sh 22.11 24.11 [output.md]     (versions other than the installed one: eng/fetch-dpdk-headers.sh first)
set -euo pipefail
cd "$(dirname "$0")/.."
from=${1:?usage: eng/api-diff.sh FROM TO [output.md]}
to=${2:?usage: eng/api-diff.sh FROM TO [output.md]}
out=${3:-artifacts/api-diff-$from-$to.md}
mkdir -p "$(dirname "$out")"
dotnet build generator/DpdkSharp.Generator.Cli -nologo -v:q >/dev/null
dotnet exec generator/DpdkSharp.Generator.Cli/bin/Debug/net10.0/dpdksharp-gen.dll diff \
  --from-name "DPDK $from" --from-options headers/dpdk.json --from-options "headers/$from/headers.json" \
  --from-cflags "$(bash eng/dpdk-cflags.sh "$from") -DALLOW_EXPERIMENTAL_API" \
  --to-name "DPDK $to" --to-options headers/dpdk.json --to-options "headers/$to/headers.json" \
  --to-cflags "$(bash eng/dpdk-cflags.sh "$to") -DALLOW_EXPERIMENTAL_API" \
  --output "$out"
echo "api-diff: $out"
head -6 "$out" | tail -4
