#!/usr/bin/env bash
# Adds the public API the packages now have to their PublicAPI.Unshipped.txt (RS0016's code fix), for
# a deliberate API change: review the diff of the PublicAPI files like code.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet format analyzers DpdkSharp.sln --diagnostics RS0016 --severity warn -v q
git --no-pager diff --stat -- '*PublicAPI.*.txt'
