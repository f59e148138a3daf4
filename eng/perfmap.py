"""The .NET runtime's perf map (DOTNET_PerfMapEnabled=1 writes /tmp/perf-PID.map: start, size and name of each piece of
JIT code), read once and searched by address: eng/callgrind-jit.py, eng/jit-steps.py and eng/burst-steps.py name the
JIT's code with it."""
import bisect
import re


class PerfMap:
    def __init__(self, path):
        self.entries = []
        with open(path) as f:
            for line in f:
                parts = line.rstrip("\n").split(" ", 2)
                if len(parts) == 3:
                    self.entries.append((int(parts[0], 16), int(parts[1], 16), parts[2]))
        self.entries.sort()
        self._starts = [e[0] for e in self.entries]

    def name(self, addr):
        """The name of the code at addr, or None."""
        i = bisect.bisect_right(self._starts, addr) - 1
        # A later compilation of a method can reuse freed code memory: the last entry that covers the address wins.
        while i >= 0:
            start, size, n = self.entries[i]
            if start <= addr < start + size:
                return n
            if addr - start > 1 << 20:
                break
            i -= 1
        return None

    def method(self, addr):
        """The method at addr without its namespace, type and signature ("ReceiveUdp"), or None."""
        name = self.name(addr)
        if name is None:
            return None
        cut = name.find("::")
        return re.sub(r"\(.*", "", name[cut + 2:] if cut >= 0 else name)
