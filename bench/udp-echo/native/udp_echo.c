/*
 * The C reference of the UDP echo benchmark: the stack's zero-copy echo path written in plain C, compiled with
 * gcc -O3 -march=native against libdpdk. The C# program calls dpdksharp_bench_udp_echo_poll where its one-core
 * phase calls the stack's device loop, on the same kind of net_ring port, generator and frames, and times both
 * calls the same way.
 *
 * Per frame it does what the stack does for an echo request that sits where the stack's own frames go (and drops
 * the rest, where the stack would take a slower path: ARP, VLAN tags, IPv4 options, fragments, broadcast
 * destinations, no socket; the benchmark's frames never need one):
 *   - the mbuf must be a single direct segment with refcnt 1 (the stack replies in place only in such a buffer);
 *   - Ethernet: destination ours, source neither ours nor group, EtherType IPv4;
 *   - IPv4: version, header length, total length against the frame, header checksum (unless the device already
 *     judged it), source not group/broadcast/ours/subnet broadcast, destination ours, no fragment, protocol UDP;
 *   - UDP: length field against the IP payload, checksum when non-zero (unless the device judged it), the
 *     destination port looked up in a table indexed by port whose chains hold the bound endpoints (the stack's
 *     UdpEndpointTable.Demux), local address exact before wildcard;
 *   - the reply in the same mbuf: UDP ports swapped and its checksum kept (RFC 1624: the echo's pseudo-header and
 *     header words are the received ones swapped, as NetworkInterfaceCore.ReplyChecksum finds), a new IPv4 header
 *     (next identification, TTL 64) with its checksum summed from the field values, MAC addresses swapped, padded
 *     to 60 bytes;
 *   - replies go out in one rte_eth_tx_burst (a few retries, the rest freed and counted), the other frames are
 *     freed in one rte_pktmbuf_free_bulk.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#define BURST 32
#define TX_RETRIES 4
#define ETHER_HEADER 14
#define IPV4_HEADER 20
#define UDP_HEADER 8
#define MIN_FRAME 60
#define DEFAULT_TTL 64
#define ETHER_TYPE_IPV4 0x0800
#define IP_PROTO_UDP 17
#define MAX_ENDPOINTS 64
#define NO_ENDPOINT (-1)

struct endpoint {
	uint32_t local_addr; /* host order; 0 = any */
	int32_t next_on_port;
};

struct udp_echo_ref {
	uint16_t port;
	uint16_t next_id;
	uint8_t mac[6];
	uint32_t addr;           /* host order */
	uint32_t subnet_broadcast;
	uint64_t received;
	uint64_t echoed;
	uint64_t dropped;
	uint64_t tx_drops;
	int32_t endpoint_count;
	struct endpoint endpoints[MAX_ENDPOINTS];
	int32_t port_head[65536];
};

/* RFC 1071 arithmetic on folded 16-bit partial sums, the stack's InternetChecksum. */
static inline uint32_t csum_fold(uint64_t sum)
{
	sum = (sum & 0xFFFFFFFFu) + (sum >> 32);
	sum = (sum & 0xFFFFFFFFu) + (sum >> 32);
	sum = (sum & 0xFFFFu) + (sum >> 16);
	return (uint32_t)((sum & 0xFFFFu) + (sum >> 16));
}

static inline uint32_t csum_add(uint32_t a, uint32_t b)
{
	return csum_fold((uint64_t)a + b);
}

static inline uint32_t csum_subtract(uint32_t total, uint32_t part)
{
	return csum_add(total, ~part & 0xFFFFu);
}

/* Sum of big-endian words as a big-endian word value: native-endian 32-bit loads, one swap at the end (RFC 1071 §2). */
static inline uint32_t csum_bytes(const uint8_t *p, uint32_t n)
{
	uint64_t acc = 0;
	uint32_t i = 0;
	for (; i + 4 <= n; i += 4) {
		uint32_t w;
		memcpy(&w, p + i, 4);
		acc += w;
	}
	if (i + 2 <= n) {
		uint16_t w;
		memcpy(&w, p + i, 2);
		acc += w;
		i += 2;
	}
	if (i < n) {
		/* A trailing odd byte is the high half of a zero-padded big-endian word (RFC 1071 §4.1). */
		acc += p[i];
	}
	return rte_be_to_cpu_16((uint16_t)csum_fold(acc));
}

static inline uint32_t pseudo_header_sum(uint32_t src, uint32_t dst, uint32_t udp_length)
{
	return csum_fold((uint64_t)(src >> 16) + (src & 0xFFFFu) + (dst >> 16) + (dst & 0xFFFFu) + IP_PROTO_UDP + udp_length);
}

static inline uint16_t read16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return rte_be_to_cpu_16(v);
}

static inline uint32_t read32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return rte_be_to_cpu_32(v);
}

static inline void write16(uint8_t *p, uint16_t v)
{
	v = rte_cpu_to_be_16(v);
	memcpy(p, &v, 2);
}

static inline void write32(uint8_t *p, uint32_t v)
{
	v = rte_cpu_to_be_32(v);
	memcpy(p, &v, 4);
}

static inline int is_group_mac(const uint8_t *mac)
{
	return (mac[0] & 1) != 0;
}

static inline int is_group_or_broadcast_ip(uint32_t a)
{
	return (a >> 28) == 0xE || a == 0xFFFFFFFFu;
}

/* UdpEndpointTable.Demux without connected endpoints: the exact local address wins over the wildcard. */
static inline int32_t demux(const struct udp_echo_ref *ref, uint32_t dst, uint16_t dst_port)
{
	int32_t best = NO_ENDPOINT;
	int best_score = 0;
	for (int32_t i = ref->port_head[dst_port]; i != NO_ENDPOINT; i = ref->endpoints[i].next_on_port) {
		const uint32_t local = ref->endpoints[i].local_addr;
		const int score = local == dst ? 2 : local == 0 ? 1 : 0;
		if (score > best_score) {
			best = i;
			best_score = score;
		}
	}
	return best;
}

/* Turns the request in m into its echo reply in place; returns 0 when the frame is not one the echo path answers. */
static inline int echo_in_place(struct udp_echo_ref *ref, struct rte_mbuf *m)
{
	if (m->nb_segs != 1 || !RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1) {
		return 0;
	}
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	const uint32_t frame_length = m->data_len;
	if (frame_length < ETHER_HEADER) {
		return 0;
	}
	const uint8_t *dst_mac = frame;
	const uint8_t *src_mac = frame + 6;
	/* Only our own MAC: the stack takes group frames too, but discards a datagram to our unicast address that came
	 * as link broadcast (RFC 1122 §3.3.6), and a group destination address is not one the echo path answers here. */
	if (memcmp(dst_mac, ref->mac, 6) != 0 || is_group_mac(src_mac) || memcmp(src_mac, ref->mac, 6) == 0
		|| read16(frame + 12) != ETHER_TYPE_IPV4) {
		return 0;
	}

	uint8_t *ip = frame + ETHER_HEADER;
	const uint32_t ip_room = frame_length - ETHER_HEADER;
	if (ip_room < IPV4_HEADER || (ip[0] >> 4) != 4 || (ip[0] & 0x0F) * 4u != IPV4_HEADER) {
		return 0; /* options: the stack replies by copy, not in place */
	}
	const uint32_t total_length = read16(ip + 2);
	if (total_length < IPV4_HEADER || total_length > ip_room) {
		return 0;
	}
	const uint64_t flags = m->ol_flags;
	if ((flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD) {
		return 0;
	}
	if ((flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) != RTE_MBUF_F_RX_IP_CKSUM_GOOD && csum_bytes(ip, IPV4_HEADER) != 0xFFFFu) {
		return 0;
	}
	const uint32_t src = read32(ip + 12);
	const uint32_t dst = read32(ip + 16);
	if (is_group_or_broadcast_ip(src) || src == ref->addr || src == ref->subnet_broadcast || dst != ref->addr
		|| (read16(ip + 6) & 0x3FFF) != 0 || ip[9] != IP_PROTO_UDP) {
		return 0; /* fragments go to reassembly in the stack */
	}

	uint8_t *udp = ip + IPV4_HEADER;
	const uint32_t udp_room = total_length - IPV4_HEADER;
	if (udp_room < UDP_HEADER) {
		return 0;
	}
	const uint32_t udp_length = read16(udp + 4);
	if (udp_length < UDP_HEADER || udp_length > udp_room) {
		return 0;
	}
	const uint16_t old_checksum = read16(udp + 6);
	if ((flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_BAD) {
		return 0;
	}
	if ((flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) != RTE_MBUF_F_RX_L4_CKSUM_GOOD && old_checksum != 0
		&& csum_add(pseudo_header_sum(src, dst, udp_length), csum_bytes(udp, udp_length)) != 0xFFFFu) {
		return 0;
	}
	const uint16_t src_port = read16(udp);
	const uint16_t dst_port = read16(udp + 2);
	if (demux(ref, dst, dst_port) == NO_ENDPOINT) {
		return 0;
	}

	write16(udp, dst_port);
	write16(udp + 2, src_port);
	write16(udp + 4, (uint16_t)udp_length);
	/* The echo swaps the pseudo-header's addresses and the ports: the same words summed in another order, so a
	 * received checksum stays as it is (RFC 1624 eqn. 3 with m' = m), as the stack's ReplyChecksum finds. None
	 * received (RFC 768 allows it): summed. */
	if (old_checksum == 0) {
		const uint32_t payload_sum = csum_bytes(udp + UDP_HEADER, udp_length - UDP_HEADER);
		const uint32_t new_header = csum_fold((uint64_t)dst_port + src_port + udp_length);
		const uint16_t udp_checksum = (uint16_t)~csum_add(csum_add(pseudo_header_sum(dst, src, udp_length), payload_sum), new_header);
		/* A computed 0 goes out as 0xFFFF: 0 means "no checksum" (RFC 768). */
		write16(udp + 6, udp_checksum == 0 ? 0xFFFF : udp_checksum);
	}

	/* A new IPv4 header, its checksum summed from the field values rather than read back (store forwarding). */
	const uint32_t ip_length = IPV4_HEADER + udp_length;
	const uint16_t id = ref->next_id++;
	ip[0] = 0x45;
	ip[1] = 0;
	write16(ip + 2, (uint16_t)ip_length);
	write16(ip + 4, id);
	write16(ip + 6, 0);
	ip[8] = DEFAULT_TTL;
	ip[9] = IP_PROTO_UDP;
	write32(ip + 12, dst);
	write32(ip + 16, src);
	const uint32_t ip_sum = csum_fold((uint64_t)0x4500 + ip_length + id + (DEFAULT_TTL << 8 | IP_PROTO_UDP)
		+ (dst >> 16) + (dst & 0xFFFFu) + (src >> 16) + (src & 0xFFFFu));
	write16(ip + 10, (uint16_t)~ip_sum);

	memcpy(frame, src_mac, 6);
	memcpy(frame + 6, ref->mac, 6);
	uint32_t length = ETHER_HEADER + ip_length;
	if (length < MIN_FRAME) {
		memset(frame + length, 0, MIN_FRAME - length);
		length = MIN_FRAME;
	}
	m->data_len = (uint16_t)length;
	m->pkt_len = length;
	/* A received mbuf reused for a reply still carries its receive flags. */
	m->ol_flags = 0;
	return 1;
}

/* An echo on port queue 0 for the interface mac/addr/prefix_length (addr in host order); NULL when out of memory. */
__attribute__((visibility("default")))
struct udp_echo_ref *dpdksharp_bench_udp_echo_create(uint16_t port, const uint8_t *mac, uint32_t addr, uint32_t prefix_length)
{
	struct udp_echo_ref *ref = calloc(1, sizeof(*ref));
	if (ref == NULL) {
		return NULL;
	}
	ref->port = port;
	memcpy(ref->mac, mac, 6);
	ref->addr = addr;
	const uint32_t host_mask = prefix_length >= 32 ? 0 : 0xFFFFFFFFu >> prefix_length;
	ref->subnet_broadcast = addr | host_mask;
	for (uint32_t p = 0; p < 65536; p++) {
		ref->port_head[p] = NO_ENDPOINT;
	}
	return ref;
}

/* Binds an endpoint (local_addr in host order, 0 = any); -1 when the table is full. */
__attribute__((visibility("default")))
int dpdksharp_bench_udp_echo_bind(struct udp_echo_ref *ref, uint32_t local_addr, uint16_t local_port)
{
	if (ref->endpoint_count == MAX_ENDPOINTS) {
		return -1;
	}
	const int32_t i = ref->endpoint_count++;
	ref->endpoints[i].local_addr = local_addr;
	ref->endpoints[i].next_on_port = ref->port_head[local_port];
	ref->port_head[local_port] = i;
	return 0;
}

/* One poll of the device: a receive burst, the echoes built in place, one transmit burst. Returns frames received. */
__attribute__((visibility("default")))
uint16_t dpdksharp_bench_udp_echo_poll(struct udp_echo_ref *ref)
{
	struct rte_mbuf *rx[BURST];
	struct rte_mbuf *tx[BURST];
	struct rte_mbuf *dropped[BURST];
	const uint16_t n = rte_eth_rx_burst(ref->port, 0, rx, BURST);
	if (n == 0) {
		return 0;
	}
	uint16_t replies = 0;
	uint16_t drops = 0;
	for (uint16_t i = 0; i < n; i++) {
		if (echo_in_place(ref, rx[i])) {
			tx[replies++] = rx[i];
		} else {
			dropped[drops++] = rx[i];
		}
	}
	if (drops > 0) {
		rte_pktmbuf_free_bulk(dropped, drops);
	}
	uint16_t sent = 0;
	for (int attempt = 0; attempt <= TX_RETRIES && sent < replies; attempt++) {
		sent += rte_eth_tx_burst(ref->port, 0, tx + sent, replies - sent);
	}
	if (sent < replies) {
		rte_pktmbuf_free_bulk(tx + sent, replies - sent);
	}
	ref->received += n;
	ref->echoed += sent;
	ref->dropped += drops;
	ref->tx_drops += replies - sent;
	return n;
}

/* Frames received, echoed, dropped by the checks, and replies the queue refused. */
__attribute__((visibility("default")))
void dpdksharp_bench_udp_echo_counters(const struct udp_echo_ref *ref, uint64_t counters[4])
{
	counters[0] = ref->received;
	counters[1] = ref->echoed;
	counters[2] = ref->dropped;
	counters[3] = ref->tx_drops;
}

__attribute__((visibility("default")))
void dpdksharp_bench_udp_echo_free(struct udp_echo_ref *ref)
{
	free(ref);
}
