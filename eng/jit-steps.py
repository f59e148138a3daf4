# A gdb script (gdb -p PID -batch -x eng/jit-steps.py): counts the instructions a running .NET process executes in calls
# of one JIT-compiled method, callees included, by single-stepping them. The count is the native tier-1 code's, exactly,
# and does not depend on the machine's load (callgrind runs other code: see bench/udp-echo/README.md). The process must
# have been started with DOTNET_PerfMapEnabled=1 (the map names the JIT's code) and DOTNET_EnableWriteXorExecute=0 (gdb
# then finds the code where the map says).
# Environment: STEPS_MAP (the process's /tmp/perf-PID.map), STEPS_METHOD (a regular expression; the last tier-1 entry
# that matches is traced), STEPS_CALLS (how many calls, 3 by default), STEPS_FRAME (optional regular expression: a method
# whose entries are counted during the calls, so that a burst's count can be divided by the frames it handled).
# Prints one JSON line: instructions per call, the entries of STEPS_FRAME per call, and the instructions per call spent
# in each method (callees apart).
import json
import os
import re

import gdb
from perfmap import PerfMap  # eng/, on PYTHONPATH (eng/bench.sh sets it)

perf_map = PerfMap(os.environ["STEPS_MAP"])


def tier1(pattern):
    found = [e for e in perf_map.entries if re.search(pattern, e[2]) and "[OptimizedTier1]" in e[2]]
    if not found:
        raise gdb.GdbError(f"no tier-1 code matches {pattern} yet: warm up longer")
    return found[-1]


def short_name(pc):
    return perf_map.method(pc) or "native"


target = tier1(os.environ["STEPS_METHOD"])
frame_entry = tier1(os.environ["STEPS_FRAME"])[0] if os.environ.get("STEPS_FRAME") else None
calls = int(os.environ.get("STEPS_CALLS", "3"))
gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute(f"break *0x{target[0]:x}")
counts, frames, by_method = [], [], {}
for _ in range(calls):
    gdb.execute("continue", to_string=True)
    # The call ends when the stack pointer rises above its value at entry (the return popped the return address).
    rsp0 = int(gdb.parse_and_eval("$rsp"))
    n = entered = 0
    while True:
        pc = int(gdb.parse_and_eval("$pc"))
        if pc == frame_entry:
            entered += 1
        name = short_name(pc)
        by_method[name] = by_method.get(name, 0) + 1
        gdb.execute("stepi", to_string=True)
        n += 1
        if int(gdb.parse_and_eval("$rsp")) > rsp0 or n > 5_000_000:
            break
    counts.append(n)
    frames.append(entered)
gdb.execute("delete")
gdb.execute("detach")
result = {
    "method": short_name(target[0]),
    "calls": calls,
    "instructions_per_call": counts,
    "frames_per_call": frames if frame_entry else None,
    "by_method_per_call": {k: round(v / calls, 1) for k, v in sorted(by_method.items(), key=lambda kv: -kv[1])},
}
print("STEPS " + json.dumps(result))
