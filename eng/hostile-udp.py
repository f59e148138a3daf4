#!/usr/bin/python3
"""Hostile and malformed frames against samples/UdpEcho on net_tap, side by side with the Linux kernel.

Run as root, with Debian's python3 (it has scapy: apt-get install -y python3-scapy):

    sudo /usr/bin/python3 eng/hostile-udp.py [--dll path/to/DpdkSharp.Samples.UdpEcho.dll] [--only NAME-PART]

Without --dll it builds samples/UdpEcho (Release). It starts the sample on a net_tap interface (10.77.0.2/24), moves
the kernel end of the TAP into a network namespace of its own (the attacker, 10.77.0.1/24), and joins that namespace
by a veth pair to a second one where the Linux kernel plays the target (10.78.0.2/24, a UDP echo on port 7). Every
case sends the same frames to both targets, then lists what each answered within half a second; after each case a
liveness probe (a normal UDP echo from a kernel socket) must come back from both. The battery is bounded: about 100
cases, under a thousand frames, about three minutes at most (each wait has a timeout, the sample runs at most
--seconds). On exit it stops the sample (which removes the TAP), the Linux echo, and deletes both namespaces; it
prints a table (case, stack, Linux, same or not) and exits 1 when the stack died, missed a probe or the cleanup failed.
Differences from Linux are listed, not failed: some are deliberate (see the notes column).
"""
import collections
import json
import os
import socket
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STACK_MAC = "02:ec:00:00:00:01"
PORT = 7
WAIT = 0.5
PROBE_TIMEOUT = 1.0


# ------------------------------------------------------------------------------------------------------------------ cases
def cases(t):
    """(name, frames, note) for target t: a dict of mac/ip/bcast for the target and the attacker's side of its link."""
    from scapy.all import ARP, ICMP, IP, UDP, Dot1Q, Ether, IPOption_LSRR, IPOption_NOP, IPOption_RR, IPOption_Timestamp, fragment, raw

    def eth(dst=None, src=None):
        return Ether(dst=dst or t["mac"], src=src or t["our_mac"])

    def udp_pkt(src=None, dst=None, payload=b"hostile!", sport=40000, dport=PORT, ldst=None, **ip):
        return eth(ldst) / IP(src=src or t["our_ip"], dst=dst or t["ip"], **ip) / UDP(sport=sport, dport=dport) / payload

    def ping(src=None, dst=None, ldst=None, payload=b"abcdefgh", **ip):
        return eth(ldst) / IP(src=src or t["our_ip"], dst=dst or t["ip"], **ip) / ICMP(id=0x4242, seq=1) / payload

    def b(p):
        return bytearray(raw(p))

    def fix_ip(f, l2=14):
        ihl = (f[l2] & 15) * 4
        f[l2 + 10:l2 + 12] = b"\0\0"
        f[l2 + 10:l2 + 12] = csum(bytes(f[l2:l2 + min(ihl, len(f) - l2)])).to_bytes(2, "big")
        return f

    def with_total_length(n, p=None):
        f = b(p or udp_pkt())
        f[16:18] = n.to_bytes(2, "big")
        return fix_ip(f)

    def with_udp_length(n):
        f = b(udp_pkt())
        f[38:40] = n.to_bytes(2, "big")
        return f

    def with_udp_checksum(c, p=None):
        f = b(p or udp_pkt())
        f[40:42] = c.to_bytes(2, "big")
        return f

    def padded(extra, fill):
        f = b(udp_pkt(payload=b"pad"))
        return f + bytes([fill]) * extra

    def udp_short_of_ip():
        # The UDP datagram (checksum over its own length) followed by 6 bytes the IP payload counts and UDP does not.
        u = raw(UDP(sport=40000, dport=PORT) / b"short")
        u = bytes(raw(IP(src=t["our_ip"], dst=t["ip"], proto=17) / u)[20:])  # with its checksum
        f = b(eth() / IP(src=t["our_ip"], dst=t["ip"], proto=17) / (u + b"EXTRA!"))
        return f

    def zero_sum_udp():
        # Payload word = the checksum with a zero word: the datagram then sums to all ones, sent as 0xFFFF.
        probe = b(udp_pkt(payload=b"\0\0"))
        word = bytes(probe[40:42])
        f = b(udp_pkt(payload=word))
        return f

    def options(opts, p=None, bad_checksum=False):
        f = b(p or udp_pkt(options=opts))
        if bad_checksum:
            f[24] ^= 0x5A
        return f

    def raw_options_ping(opt_bytes):
        return raw_options(opt_bytes, ping())

    def raw_options(opt_bytes, p=None):
        f = b(p or udp_pkt())
        ihl = 5 + len(opt_bytes) // 4
        f = f[:34] + bytearray(opt_bytes) + f[34:]
        f[14] = 0x40 | ihl
        f[16:18] = (len(f) - 14).to_bytes(2, "big")
        return fix_ip(f)

    def frag_pieces(payload_len, size, src=None, ident=0x7777, reverse=False, overlap=False, dup=False):
        """A UDP echo datagram cut into fragments of `size` data bytes (multiple of 8)."""
        whole = IP(src=src or t["our_ip"], dst=t["ip"], id=ident) / UDP(sport=40000, dport=PORT) / (b"F" * payload_len)
        parts = [eth() / p for p in fragment(whole, fragsize=size)]
        frames = [b(p) for p in parts]
        if overlap:
            # A second copy of fragment 1 shifted by 8 bytes with other data: bytes no sender sent both ways.
            p = parts[1].copy()
            p[IP].frag += 1
            p[IP].load = b"X" * len(p[IP].load)
            del p[IP].chksum
            frames.insert(2, b(p))
        if dup:
            frames.insert(1, frames[1])
        return frames[::-1] if reverse else frames

    sub = t["bcast"]
    c = []
    add = lambda name, frames, note="": c.append((name, [bytes(f) for f in (frames if isinstance(frames, list) else [frames])], note))

    add("control: udp echo", b(udp_pkt()))
    add("control: ping", b(ping()))
    # Lengths (RFC 791 §3.1, RFC 768).
    add("ip total length 19", with_total_length(19))
    add("ip total length 20 (no udp header)", with_total_length(20))
    add("ip total length 27 (short of udp header)", with_total_length(27))
    add("ip total length frame+1", with_total_length(len(raw(udp_pkt())) - 14 + 1))
    add("ip total length 65535", with_total_length(65535))
    add("link padding of 0xA5 after the datagram", padded(30, 0xA5))
    add("link padding of 0xFF, minimum frame", padded(10, 0xFF))
    add("udp length > ip payload", with_udp_length(len(raw(udp_pkt())) - 34 + 1))
    add("udp length < ip payload (6 extra bytes)", udp_short_of_ip())
    add("udp length 7", with_udp_length(7))
    add("udp length 0", with_udp_length(0))
    add("udp checksum 0 (none)", with_udp_checksum(0))
    add("udp checksum 0xFFFF, wrong", with_udp_checksum(0xFFFF))
    add("udp checksum 0xFFFF for a zero sum", zero_sum_udp())
    add("udp checksum off by one", with_udp_checksum((int.from_bytes(b(udp_pkt())[40:42], "big") + 1) & 0xFFFF))
    add("empty udp payload", b(udp_pkt(payload=b"")))
    # Sources (RFC 1122 §3.2.1.3).
    for name, src in [("target's own address", t["ip"]), ("255.255.255.255", "255.255.255.255"), ("224.0.0.5", "224.0.0.5"),
                      ("0.0.0.0", "0.0.0.0"), ("0.1.2.3", "0.1.2.3"), ("127.0.0.1", "127.0.0.1"), ("240.0.0.1 (class E)", "240.0.0.1"),
                      ("subnet broadcast", sub), ("an unknown neighbour", t["stranger"]), ("off-link 198.18.0.1", "198.18.0.1")]:
        add(f"udp from {name}", b(udp_pkt(src=src)))
    add("ping from 127.0.0.1", b(ping(src="127.0.0.1")))
    add("ping from 0.0.0.0", b(ping(src="0.0.0.0")))
    add("udp from 127.0.0.1 to a closed port", b(udp_pkt(src="127.0.0.1", dport=9)))
    # Destinations.
    add("udp to the subnet broadcast", b(udp_pkt(dst=sub, ldst="ff:ff:ff:ff:ff:ff")))
    add("udp to 255.255.255.255", b(udp_pkt(dst="255.255.255.255", ldst="ff:ff:ff:ff:ff:ff")))
    add("udp to our address in a link broadcast", b(udp_pkt(ldst="ff:ff:ff:ff:ff:ff")), "RFC 1122 §3.3.6 SHOULD drop; Linux keeps it by default")
    add("udp to the subnet broadcast in a unicast frame", b(udp_pkt(dst=sub)))
    add("udp from 0.0.0.0 to 255.255.255.255", b(udp_pkt(src="0.0.0.0", dst="255.255.255.255", ldst="ff:ff:ff:ff:ff:ff")))
    add("udp to the subnet broadcast, closed port", b(udp_pkt(dst=sub, dport=9, ldst="ff:ff:ff:ff:ff:ff")))
    add("ping to the subnet broadcast", b(ping(dst=sub, ldst="ff:ff:ff:ff:ff:ff")))
    add("ping to 255.255.255.255", b(ping(dst="255.255.255.255", ldst="ff:ff:ff:ff:ff:ff")))
    add("udp to 127.0.0.1 in a unicast frame", b(udp_pkt(dst="127.0.0.1")))
    add("udp to another host's address", b(udp_pkt(dst=t["stranger"])))
    # TTL, flags, offset.
    add("udp ttl 0", b(udp_pkt(ttl=0)))
    add("ping ttl 0", b(ping(ttl=0)))
    add("udp reserved flag bit", b(udp_pkt(flags="evil")))
    add("udp DF", b(udp_pkt(flags="DF")))
    add("udp DF+MF (incomplete first fragment)", b(udp_pkt(flags="DF+MF", payload=b"12345678" * 2)))
    add("udp lone last fragment at offset 8", b(udp_pkt(frag=1)))
    # Options (RFC 791 §3.1, RFC 1122 §3.2.1.8, §3.2.2.6).
    add("udp with 1 NOP word of options", b(udp_pkt(options=[IPOption_NOP()] * 4)))
    add("udp with 40 bytes of NOPs (IHL 15)", raw_options(bytes([1] * 40)))
    add("udp options with a bad header checksum", options([IPOption_NOP()] * 4, bad_checksum=True))
    add("udp option of length 0", raw_options(bytes([7, 0, 0, 0])))
    add("udp option running past the header", raw_options(bytes([7, 9, 4, 0])))
    add("udp option list truncated after type", raw_options(bytes([1, 1, 1, 7])))
    add("ping with record route", b(ping(options=[IPOption_RR(routers=["0.0.0.0"] * 3)])))
    add("ping with a full record route", b(ping(options=[IPOption_RR(pointer=16, routers=["1.1.1.1"] * 3)])))
    add("ping with timestamp (flag 0)", b(ping(options=[IPOption_Timestamp(flg=0, timestamp=0), IPOption_NOP()] * 1)))
    add("ping with timestamp (flag 1)", b(ping(options=[IPOption_Timestamp(flg=1, pointer=5, internet_address="0.0.0.0", timestamp=0)])))
    add("ping with timestamp (flag 3, us prespecified)", b(ping(options=[IPOption_Timestamp(flg=3, pointer=5, internet_address=t["ip"], timestamp=0)])))
    add("ping with timestamp (flag 1), room for half an entry", b(ping(options=[IPOption_Timestamp(flg=1, pointer=9, internet_address="0.0.0.0", timestamp=0)])),
        "RFC 791: some room but not enough is an error")
    add("ping with a full timestamp, overflow 15", b(ping(options=[IPOption_Timestamp(flg=0, pointer=9, oflw=15, timestamp=0)])),
        "RFC 791: an overflow count that overflows is an error")
    add("ping with record route, room for half an address", raw_options_ping(bytes([7, 5, 4, 0, 0, 0, 0, 0])), "RFC 791: some room but not enough is an error")
    add("ping with loose source route", b(ping(options=[IPOption_LSRR(routers=["10.1.1.1"])])), "Linux drops source-routed datagrams (accept_source_route=0)")
    add("ping with an IHL beyond total length", with_total_length(24, ping(options=[IPOption_NOP()] * 8)))
    # ICMP.
    add("ping with a bad icmp checksum", b(eth() / IP(src=t["our_ip"], dst=t["ip"]) / ICMP(id=1, seq=1, chksum=0x1234) / b"x"))
    add("ping, header only (8 bytes)", b(eth() / IP(src=t["our_ip"], dst=t["ip"]) / ICMP(id=1, seq=2)))
    add("icmp of 4 bytes", with_total_length(24, eth() / IP(src=t["our_ip"], dst=t["ip"], proto=1) / b"\x08\x00\xf7\xff"))
    add("ping 1472 bytes (one full frame)", b(ping(payload=b"P" * 1472)))
    add("icmp timestamp request", b(eth() / IP(src=t["our_ip"], dst=t["ip"]) / ICMP(type=13, id=1, seq=1) / (b"\0" * 12)))
    add("icmp redirect", b(eth() / IP(src=t["our_ip"], dst=t["ip"]) / ICMP(type=5, code=1, gw="10.1.1.1") / raw(IP(src=t["ip"], dst="8.8.8.8") / UDP())[:28]))
    add("spoofed port unreachable, then an echo in one burst",
        [b(eth() / IP(src=t["our_ip"], dst=t["ip"]) / ICMP(type=3, code=3) / raw(IP(src=t["ip"], dst="10.99.0.1") / UDP(sport=PORT, dport=9999))[:28]),
         b(udp_pkt(payload=b"after-icmp"))])
    add("unknown protocol 253", b(eth() / IP(src=t["our_ip"], dst=t["ip"], proto=253) / b"????????"))
    add("udp to a closed port", b(udp_pkt(dport=9)))
    # Frames of every size up to a header, tags.
    for n in (14, 20, 33, 34, 41):
        add(f"{n}-byte frame of an ip header", b(udp_pkt())[:n])
    add("vlan 5 tag to our MAC", b(eth() / Dot1Q(vlan=5) / IP(src=t["our_ip"], dst=t["ip"]) / UDP(sport=40000, dport=PORT) / b"vlan5"))
    add("priority tag (vlan 0) to our MAC", b(eth() / Dot1Q(vlan=0) / IP(src=t["our_ip"], dst=t["ip"]) / UDP(sport=40000, dport=PORT) / b"vlan0"))
    add("ethertype 0x86dd with an ipv4 body", b(Ether(dst=t["mac"], src=t["our_mac"], type=0x86DD) / IP(src=t["our_ip"], dst=t["ip"]) / UDP()))
    add("link source multicast", b(Ether(dst=t["mac"], src="01:00:5e:00:00:01") / udp_pkt()[IP]))
    add("link source = target's MAC", b(Ether(dst=t["mac"], src=t["mac"]) / udp_pkt()[IP]))
    # ARP (RFC 826, RFC 5227).
    add("arp request for the target", b(Ether(dst="ff:ff:ff:ff:ff:ff", src=t["our_mac"]) / ARP(op=1, hwsrc=t["our_mac"], psrc=t["our_ip"], pdst=t["ip"])))
    add("arp probe (sender 0.0.0.0)", b(Ether(dst="ff:ff:ff:ff:ff:ff", src=t["our_mac"]) / ARP(op=1, hwsrc=t["our_mac"], psrc="0.0.0.0", pdst=t["ip"])))
    add("arp claiming the target's address", b(Ether(dst="ff:ff:ff:ff:ff:ff", src="52:54:00:66:66:66") / ARP(op=2, hwsrc="52:54:00:66:66:66", psrc=t["ip"], pdst=t["ip"])))
    add("arp with a broadcast sender MAC", b(Ether(dst="ff:ff:ff:ff:ff:ff", src=t["our_mac"]) / ARP(op=1, hwsrc="ff:ff:ff:ff:ff:ff", psrc=t["stranger"], pdst=t["ip"])))
    add("arp of 27 bytes", b(Ether(dst="ff:ff:ff:ff:ff:ff", src=t["our_mac"], type=0x806) / raw(ARP(op=1, hwsrc=t["our_mac"], psrc=t["our_ip"], pdst=t["ip"]))[:27]))
    add("arp with hlen 8", b(Ether(dst="ff:ff:ff:ff:ff:ff", src=t["our_mac"]) / ARP(op=1, hwlen=8, hwsrc=t["our_mac"] + ":00:00", psrc=t["our_ip"], pdst=t["ip"])))
    add("arp request from a multicast sender IP", b(Ether(dst="ff:ff:ff:ff:ff:ff", src=t["our_mac"]) / ARP(op=1, hwsrc=t["our_mac"], psrc="224.0.0.1", pdst=t["ip"])))
    # Fragments (RFC 791 §3.2, RFC 5722's rule, Linux's).
    add("fragmented echo, 8-byte fragments, in order", frag_pieces(120, 8))
    add("fragmented echo, 8-byte fragments, reversed", frag_pieces(120, 8, reverse=True, ident=0x7778))
    add("fragmented echo with an overlapping fragment", frag_pieces(120, 8, overlap=True, ident=0x7779))
    add("fragmented echo with an exact duplicate fragment", frag_pieces(120, 8, dup=True, ident=0x777A))
    add("fragmented echo, 3000 bytes in 1480-byte fragments", frag_pieces(3000, 1480, ident=0x777B))
    add("ping to the subnet broadcast, fragmented", [b(eth("ff:ff:ff:ff:ff:ff") / p) for p in fragment(
        IP(src=t["our_ip"], dst=sub, id=0x777C) / ICMP(id=9, seq=9) / (b"B" * 64), fragsize=32)])
    flood = []
    for i in range(300):
        flood.append(b(eth() / IP(src=f"198.18.{i // 250}.{i % 250 + 1}", dst=t["ip"], id=i, flags="MF") / UDP(sport=40000, dport=PORT) / (b"Z" * 8)))
    add("flood: 300 first fragments from 300 sources", flood, "each source's datagram never completes")
    add("after the flood: fragmented echo (8-byte fragments)", frag_pieces(64, 8, ident=0x777D))
    return c


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


# ---------------------------------------------------------------------------------------------------------------- battery
def describe(p, t):
    """One line for a frame the target sent, its addresses named by role."""
    from scapy.all import ARP, ICMP, IP, UDP, IPerror, UDPerror

    names = {t["ip"]: "T", t["our_ip"]: "A", t["bcast"]: "B", "255.255.255.255": "BC", t["stranger"]: "S"}
    n = lambda a: names.get(a, a)
    if ARP in p:
        a = p[ARP]
        return f"arp {'request' if a.op == 1 else 'reply'} {n(a.psrc)}->{n(a.pdst)}"
    if IP not in p:
        return None if p.type == 0x86DD else f"ethertype {p.type:#06x}"
    ip = p[IP]
    head = f"{n(ip.src)}->{n(ip.dst)}"
    if ip.frag or ip.flags.MF:
        head += " frag"
    if ip.options:
        head += " opts[" + ",".join(o.__class__.__name__.replace("IPOption_", "") for o in ip.options) + "]"
    if ICMP in p and not (ip.frag):
        i = p[ICMP]
        quote = ""
        if IPerror in p:
            q = p[IPerror]
            quote = f" about {n(q.src)}->{n(q.dst)} p{q.proto}" + (f" {p[UDPerror].sport}->{p[UDPerror].dport}" if UDPerror in p else "")
        return f"icmp {i.type}/{i.code} {head}{quote}" + (f" len {ip.len - ip.ihl * 4 - 8}" if i.type == 0 else "")
    if UDP in p and not ip.frag:
        u = p[UDP]
        return f"udp {u.sport}->{u.dport} {head} len {u.len - 8}"  # the length field: link padding is not data
    return f"ip p{ip.proto} {head} len {ip.len}"


def battery(targets):
    """Runs inside the attacker's namespace: every case to every target, then a probe; prints one JSON line a case."""
    from scapy.all import AsyncSniffer, Ether, conf

    conf.verb = 0
    sockets = {t["name"]: conf.L2socket(iface=t["iface"]) for t in targets}
    captured = collections.deque()
    sniffer = AsyncSniffer(iface=[t["iface"] for t in targets], store=False, prn=lambda p: captured.append(p),
                           lfilter=lambda p: Ether in p and p[Ether].src in {t["mac"] for t in targets})
    sniffer.start()
    time.sleep(1.0)
    # The attacker's port for replies: open, so that its kernel answers them with no port unreachable of its own.
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("0.0.0.0", 40000))
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.settimeout(PROBE_TIMEOUT)
    only = os.environ.get("HOSTILE_ONLY", "")
    per_target = {t["name"]: cases(t) for t in targets}
    names = [c[0] for c in per_target[targets[0]["name"]]]
    ours = {f for t in targets for c in per_target[t["name"]] for f in c[1]}  # a sniffer sees what we send too
    deadline = time.time() + 240
    sent = 0
    for index, name in enumerate(names):
        if only and only not in name:
            continue
        if time.time() > deadline:
            print(json.dumps({"case": "TIME LIMIT", "stopped_before": name}), flush=True)
            break
        time.sleep(0.1)
        captured.clear()  # what came after the last probe (late ARP, retransmitted requests) belongs to no case
        start = time.time()
        for t in targets:
            frames = per_target[t["name"]][index][1]
            for f in frames:
                sockets[t["name"]].send(f)
            sent += len(frames)
        time.sleep(WAIT)
        got = []
        while captured:
            got.append(captured.popleft())
        row = {"case": name, "note": per_target[targets[0]["name"]][index][2], "frames": len(per_target[targets[0]["name"]][index][1])}
        for t in targets:
            lines = {describe(p, t) for p in got if p.sniffed_on == t["iface"] and p.time >= start - 0.01 and bytes(p) not in ours}
            if not name.startswith("arp"):
                # Keeping the attacker's own neighbour entry fresh (either side may ask at any time) is no answer to a case.
                lines -= {"arp request T->A", "arp reply T->A"}
            if "neighbour" not in name:
                lines -= {"arp request T->S"}  # the target still resolving the unknown neighbour of an earlier case
            row[t["name"]] = sorted(lines - {None})
            row[t["name"] + "_alive"] = alive(probe, t, index)
        print(json.dumps(row), flush=True)
    sniffer.stop()
    print(json.dumps({"case": "TOTAL", "frames_sent": sent}), flush=True)


def alive(probe, t, index):
    for attempt in range(3):
        message = f"alive {index} {attempt}".encode()
        probe.sendto(message, (t["ip"], PORT))
        try:
            while True:
                data, sender = probe.recvfrom(2048)
                if data == message and sender[0] == t["ip"]:
                    return True
        except socket.timeout:
            continue
    return False


# ------------------------------------------------------------------------------------------------------------------ setup
def run(*cmd, check=True, **kw):
    return subprocess.run(list(cmd), check=check, **kw)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--battery":
        battery(json.loads(sys.argv[2]))
        return 0
    if os.geteuid() != 0:
        print("run as root (DPDK, TAP, network namespaces)", file=sys.stderr)
        return 1
    args = sys.argv[1:]
    dll = args[args.index("--dll") + 1] if "--dll" in args else None
    if "--only" in args:
        os.environ["HOSTILE_ONLY"] = args[args.index("--only") + 1]
    if dll is None:
        run("dotnet", "build", os.path.join(ROOT, "samples/UdpEcho"), "-c", "Release", "-v", "quiet", "-nologo", stdout=subprocess.DEVNULL)
        dll = subprocess.run(["find", os.path.join(ROOT, "samples/UdpEcho/bin/Release"), "-name", "DpdkSharp.Samples.UdpEcho.dll"],
                             capture_output=True, text=True, check=True).stdout.split()[0]
    pid = os.getpid()
    tap, attacker, linux = f"dtaphost{pid}"[:15], f"hostile-a-{pid}", f"hostile-l-{pid}"
    veth_a, veth_l = f"vha{pid}"[:15], f"vhl{pid}"[:15]
    log = open(f"/tmp/hostile-udp-{pid}.log", "w+")
    server = echo = None
    failed = False
    try:
        server = subprocess.Popen(["dotnet", dll, "--iface", tap, "--address", "10.77.0.2/24", "--port", str(PORT), "--seconds", "600"],
                                  stdout=log, stderr=subprocess.STDOUT)
        for _ in range(200):
            log.seek(0)
            if "ready" in log.read():
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("the sample did not start")
        run("ip", "netns", "add", attacker)
        run("ip", "netns", "add", linux)
        run("ip", "link", "set", tap, "netns", attacker)
        run("ip", "-n", attacker, "addr", "add", "10.77.0.1/24", "dev", tap)
        run("ip", "-n", attacker, "link", "set", tap, "up")
        run("ip", "link", "add", veth_a, "netns", attacker, "type", "veth", "peer", "name", veth_l, "netns", linux)
        run("ip", "-n", attacker, "addr", "add", "10.78.0.1/24", "dev", veth_a)
        run("ip", "-n", linux, "addr", "add", "10.78.0.2/24", "dev", veth_l)
        run("ip", "-n", attacker, "link", "set", veth_a, "up")
        run("ip", "-n", linux, "link", "set", veth_l, "up")
        run("ip", "-n", linux, "link", "set", "lo", "up")
        for ns in (attacker, linux):
            # No IPv6 chatter (router and neighbour solicitations, MLD) in the captures.
            run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
        # The Linux target's UDP echo: bounded by time like everything else.
        echo = subprocess.Popen(["ip", "netns", "exec", linux, sys.executable, "-c",
                                 "import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('0.0.0.0',7))\n"
                                 "s.settimeout(1)\nend=time.time()+600\nwhile time.time()<end:\n try:\n  d,a=s.recvfrom(65535);s.sendto(d,a)\n"
                                 " except OSError:\n  pass\n"])  # a timeout, or a source it cannot answer (ENETUNREACH)
        mac = lambda ns, dev: json.loads(subprocess.run(["ip", "-j", "-n", ns, "link", "show", dev], capture_output=True, text=True,
                                                        check=True).stdout)[0]["address"]
        targets = [
            {"name": "stack", "iface": tap, "mac": STACK_MAC, "ip": "10.77.0.2", "our_ip": "10.77.0.1", "our_mac": mac(attacker, tap),
             "bcast": "10.77.0.255", "stranger": "10.77.0.50"},
            {"name": "linux", "iface": veth_a, "mac": mac(linux, veth_l), "ip": "10.78.0.2", "our_ip": "10.78.0.1", "our_mac": mac(attacker, veth_a),
             "bcast": "10.78.0.255", "stranger": "10.78.0.50"},
        ]
        time.sleep(1)
        out = subprocess.run(["ip", "netns", "exec", attacker, sys.executable, os.path.abspath(__file__), "--battery", json.dumps(targets)],
                             capture_output=True, text=True, timeout=420)
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            failed = True
        rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
        failed |= report(rows)
        failed |= server.poll() is not None
    finally:
        for p in (server, echo):
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
        for ns in (attacker, linux):
            run("ip", "netns", "del", ns, check=False, stderr=subprocess.DEVNULL)
        log.seek(0)
        print("--- sample log\n" + log.read().strip())
        log.close()
        left = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
        if attacker in left or linux in left or tap in links or veth_l in links:
            print("cleanup: something is left", file=sys.stderr)
            failed = True
        else:
            print("cleanup: namespaces, veth pair and TAP removed")
    return 1 if failed else 0


def report(rows):
    failed = False
    differ = 0
    for r in rows:
        if r["case"] in ("TOTAL", "TIME LIMIT"):
            print(json.dumps(r))
            continue
        same = r["stack"] == r["linux"]
        differ += not same
        if not r["stack_alive"]:
            failed = True
        print(f"{'same' if same else 'DIFF'} | {r['case']} ({r['frames']} frames)")
        print(f"       stack: {'; '.join(r['stack']) or '-'}{'' if r['stack_alive'] else '   PROBE FAILED'}")
        if not same or not r["linux_alive"]:
            print(f"       linux: {'; '.join(r['linux']) or '-'}{'' if r['linux_alive'] else '   PROBE FAILED'}")
        if r["note"]:
            print(f"       note: {r['note']}")
    print(f"{len(rows)} rows, {differ} differ from Linux")
    return failed


if __name__ == "__main__":
    sys.exit(main())
