# A gdb script (gdb -p PID -batch -x eng/burst-steps.py): instructions per received frame of a DPDK polling loop, by
# single-stepping its thread from one entry of port 0's receive burst function to the next, over loop iterations that
# received frames (empty polls are skipped: they measure idling, not work). Whatever the loop runs is counted: the PMD's
# receive and transmit, mempool and thread-local lookups, and the program's own code, so a C program (testpmd) and a
# .NET one (dpdksharp-pktgen) are counted alike. Exact and independent of the machine's load, unlike a timing.
# Environment: BURST_TID (the polling thread's id), BURST_ITERATIONS (how many iterations with frames, 3 by default),
# BURST_PERF_MAP (optional: a .NET process's /tmp/perf-PID.map, to name its JIT code by method).
# Prints one line, "BURST {json}": iterations, frames, instructions, instructions per frame, and per frame by where the
# instructions ran (the mapped file, or the JIT method).
import json
import os
import sys

import gdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from perfmap import PerfMap  # noqa: E402  (eng/, beside this script)

gdb.execute("set pagination off")
gdb.execute("set confirm off")
tid = os.environ["BURST_TID"]
for thread in gdb.selected_inferior().threads():
    if str(thread.ptid[1]) == tid:
        thread.switch()
        break
else:
    raise gdb.GdbError(f"no thread {tid} in the process")

# rte_eth_fp_ops[0].rx_pkt_burst: the first field of ethdev's exported fast-path table (DPDK 22.11 and later).
rx_burst = int(gdb.parse_and_eval("*(long*)&rte_eth_fp_ops"))
mappings = []
with open(f"/proc/{gdb.selected_inferior().pid}/maps") as maps:
    for line in maps:
        fields = line.split()
        low, high = (int(x, 16) for x in fields[0].split("-"))
        mappings.append((low, high, fields[5].split("/")[-1] if len(fields) > 5 else "[anonymous]"))
perf_map = PerfMap(os.environ["BURST_PERF_MAP"]) if os.environ.get("BURST_PERF_MAP") else None


def where(pc):
    for low, high, name in mappings:
        if low <= pc < high:
            if name == "[anonymous]" and perf_map is not None and (method := perf_map.method(pc)) is not None:
                return method
            return name
    return "unmapped"


gdb.execute(f"break *0x{rx_burst:x} thread {gdb.selected_thread().num}")
gdb.execute("continue", to_string=True)
wanted = int(os.environ.get("BURST_ITERATIONS", "3"))
iterations = frames = instructions = empty = 0
by_place = {}
while iterations < wanted:
    entry_rsp = int(gdb.parse_and_eval("$rsp"))
    steps, received, places = 0, None, {}
    while True:
        gdb.execute("stepi", to_string=True)
        steps += 1
        pc = int(gdb.parse_and_eval("$pc"))
        place = where(pc)
        places[place] = places.get(place, 0) + 1
        # The receive burst returned (its return address popped): rax holds the frames it received.
        if received is None and int(gdb.parse_and_eval("$rsp")) > entry_rsp:
            received = int(gdb.parse_and_eval("$rax")) & 0xFFFF
        if pc == rx_burst:
            break
        if steps > 5_000_000:
            raise gdb.GdbError("the loop never called the receive burst again")
    if not received:
        empty += 1
        continue
    iterations += 1
    frames += received
    instructions += steps
    for place, count in places.items():
        by_place[place] = by_place.get(place, 0) + count
gdb.execute("delete")
print("BURST " + json.dumps({
    "iterations": iterations,
    "frames": frames,
    "frames_per_iteration": round(frames / iterations, 1),
    "instructions_per_frame": round(instructions / frames, 1),
    "by_place_per_frame": {k: round(v / frames, 1) for k, v in sorted(by_place.items(), key=lambda kv: -kv[1])},
    "empty_iterations_skipped": empty,
}))
