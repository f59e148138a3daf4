#!/usr/bin/env bash
# The API documentation site: docfx (a local .NET tool, .config/dotnet-tools.json) over the packages' XML docs plus
# the conceptual pages (docs/index.md, getting-started.md, architecture.md and the stack's README with its
# ownership rules), into artifacts/docs (open artifacts/docs/index.html, or `dotnet docfx serve artifacts/docs`).
#   bash eng/docs.sh
# Works from a fresh clone: it restores the tool and builds the packages (Debug, the same build as eng/test.sh, so
# nothing is rebuilt after one). The API pages are made from the built assemblies and their XML files, not from the
# projects: the bindings are generated at build time, and docfx's own project loading would not run that step.
# The raw bindings (DpdkSharp.Bindings) are left out: their API is DPDK's, documented by DPDK.
# Fails on any docfx warning (a broken link or bookmark, an unresolved cross-reference, a bad toc), and prints them.
set -euo pipefail
cd "$(dirname "$0")/.."

build=artifacts/docs-build
rm -rf "$build" artifacts/docs
mkdir -p "$build"

dotnet tool restore >/dev/null
# Each package with its dependencies in one folder, so docfx resolves every type the public API names.
for project in stack/DpdkSharp.AspNetCore stack/DpdkSharp.Stack.Testing generator/DpdkSharp.Generator; do
  dotnet publish "$project" -c Debug -o "$build/assemblies" -nologo -v:q
done

status=0
dotnet docfx metadata docs/docfx.json --logLevel warning >"$build/metadata.log" 2>&1 || status=$?
dotnet docfx build docs/docfx.json --logLevel warning --warningsAsErrors >"$build/build.log" 2>&1 || status=$?
# docfx's diagnostics read "<file>(<line>,<col>): warning <Code>: <message>" (or without the position).
problems='(warning|error) [A-Za-z]+:'
if [ "$status" -ne 0 ] || grep -qE "$problems" "$build/metadata.log" "$build/build.log"; then
  echo "docs: docfx reported problems (exit $status):" >&2
  grep -hE "$problems" "$build/metadata.log" "$build/build.log" >&2 || cat "$build/metadata.log" "$build/build.log" >&2
  exit 1
fi
[ -f artifacts/docs/index.html ] || { echo "docs: artifacts/docs/index.html was not made" >&2; exit 1; }
echo "docs: artifacts/docs ($(find artifacts/docs -name '*.html' | wc -l) pages)"
