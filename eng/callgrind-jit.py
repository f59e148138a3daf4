#!/usr/bin/env python3
"""Names the JIT's functions in a callgrind profile: callgrind_annotate's unknown addresses looked up in the .NET
perf map the profiled process wrote (DOTNET_PerfMapEnabled=1, /tmp/perf-PID.map), self cost summed per method.
Usage: eng/callgrind-jit.py callgrind.out.PID [packets] [top]"""
import re
import subprocess
import sys

from perfmap import PerfMap

out = sys.argv[1]
packets = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
top = int(sys.argv[3]) if len(sys.argv) > 3 else 40
pid = re.search(r"(\d+)$", out).group(1)
perf_map = PerfMap(f"/tmp/perf-{pid}.map")


def name(addr):
    return perf_map.name(addr) or f"0x{addr:x}"


text = subprocess.run(["callgrind_annotate", "--threshold=100", out], capture_output=True, text=True).stdout
costs = {}
total = 0
for line in text.splitlines():
    m = re.match(r"\s*([\d,]+) \([\s\d.]+%\)\s+(.*)$", line)
    if not m:
        continue
    cost = int(m.group(1).replace(",", ""))
    what = m.group(2)
    if "PROGRAM TOTALS" in what:
        total = cost
        continue
    a = re.match(r"\?\?\?:0x([0-9a-f]+) \[\?\?\?\]", what)
    key = name(int(a.group(1), 16)) if a else what
    costs[key] = costs.get(key, 0) + cost
print(f"total {total:,} Ir, {total / packets:.1f} per packet")
for key, cost in sorted(costs.items(), key=lambda kv: -kv[1])[:top]:
    print(f"{cost / packets:9.1f} {100.0 * cost / total:5.1f}%  {key}")
