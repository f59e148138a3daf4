#!/usr/bin/env bash
# The whole test suite: setup, build everything, run every test project, then one plain summary line
# "N passed, N failed, N skipped" totalled over all projects (read from the TRX results, not from
# dotnet test's console lines). Exits non-zero on any failure, a build error, or zero tests run.
set -uo pipefail
cd "$(dirname "$0")/.."

bash eng/setup.sh || exit 1
# The bindings are also proven against newer DPDK headers (unpacked into .dpdk-versions/, nothing installed).
for version in 24.11 25.11; do
  bash eng/fetch-dpdk-headers.sh "$version" || exit 1
done

bash eng/check-conventions.sh || { echo "0 passed, 0 failed, 0 skipped"; exit 1; }

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

dotnet build DpdkSharp.sln -nologo -v:q || { echo "0 passed, 0 failed, 0 skipped"; echo "build failed" >&2; exit 1; }

# A hung test must not eat CI's time: blame-hang dumps and kills it.
dotnet test DpdkSharp.sln --no-build -nologo -v:q \
  --logger "trx" --results-directory "$results" \
  --blame-hang-timeout 10m
test_exit=$?

# Sum one counter attribute of every TRX <Counters .../> element.
count() {
  local total=0 n
  for f in "${trx[@]}"; do
    n=$(grep -o "<Counters [^>]*" "$f" | grep -o " $1=\"[0-9]*\"" | grep -o "[0-9]*")
    total=$((total + ${n:-0}))
  done
  echo "$total"
}
shopt -s globstar nullglob
trx=("$results"/**/*.trx)
passed=$(count passed)
failed=$(( $(count failed) + $(count error) + $(count timeout) + $(count aborted) ))
skipped=$(count notExecuted)

echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ $((passed + failed)) -eq 0 ]; then
  echo "no tests ran (${#trx[@]} result files)" >&2
  exit 1
fi
[ "$failed" -eq 0 ] && [ "$test_exit" -eq 0 ]
