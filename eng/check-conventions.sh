#!/usr/bin/env bash
# House rules the compiler does not check, run by eng/test.sh before the build:
#  - test names are sentences with underscores (A_linux_syn_parses_with_every_option), one style in
#    every test project (braces are checked by the build: IDE0011 in .editorconfig).
set -uo pipefail
cd "$(dirname "$0")/.."

bad=$(python3 - <<'PY'
import re, glob
decl = re.compile(r'\[(?:Fact|Theory)[^\]]*\](?:\s*\[[^\]]*\])*\s*public\s+(?:async\s+Task|void)\s+([A-Za-z0-9_]+)\s*\(')
for path in sorted(glob.glob('tests/**/*.cs', recursive=True)):
    if '/obj/' in path or '/bin/' in path:
        continue
    for m in decl.finditer(open(path, encoding='utf-8').read()):
        name = m.group(1)
        if '_' not in name or not name[0].isupper():
            print(f'{path}: {name}')
PY
)
if [ -n "$bad" ]; then
  echo "check-conventions: test names must be sentences with underscores (e.g. Parses_a_linux_syn):" >&2
  echo "$bad" >&2
  exit 1
fi
echo "check-conventions: ok"
