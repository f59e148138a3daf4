/*
 * The C reference of the forwarding benchmark: DPDK's skeleton loop (receive a burst on one port, send it on
 * the other, free what was not sent), compiled with gcc -O3 against libdpdk. The C# program calls it once
 * per round, so both loops run on the same ports, pool and lcore, interleaved in one process.
 *
 * It also makes the net_ring pair (rte_eth_from_rings): two rings crossed between two ports, so what port B
 * sends, port A receives. This lives here because the bindings' shim does not link librte_net_ring.
 */
#include <stdint.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_eth_ring.h>

#define BURST 32

__attribute__((visibility("default")))
uint64_t dpdksharp_bench_forward(uint16_t rx_port, uint16_t tx_port, uint64_t iterations)
{
	struct rte_mbuf *bufs[BURST];
	uint64_t forwarded = 0;
	for (uint64_t i = 0; i < iterations; i++) {
		const uint16_t n = rte_eth_rx_burst(rx_port, 0, bufs, BURST);
		if (n == 0)
			continue;
		const uint16_t sent = rte_eth_tx_burst(tx_port, 0, bufs, n);
		forwarded += sent;
		if (sent < n)
			rte_pktmbuf_free_bulk(&bufs[sent], n - sent);
	}
	return forwarded;
}

/* Port A receives from r1 and sends to r2; port B receives from r2 and sends to r1. */
__attribute__((visibility("default")))
int dpdksharp_bench_make_ring_pair(uint16_t *port_a, uint16_t *port_b)
{
	struct rte_ring *r1 = rte_ring_create("bench_r1", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	struct rte_ring *r2 = rte_ring_create("bench_r2", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (r1 == NULL || r2 == NULL)
		return -1;
	const int a = rte_eth_from_rings("bench_a", &r1, 1, &r2, 1, rte_socket_id());
	const int b = rte_eth_from_rings("bench_b", &r2, 1, &r1, 1, rte_socket_id());
	if (a < 0 || b < 0)
		return -1;
	*port_a = (uint16_t)a;
	*port_b = (uint16_t)b;
	return 0;
}
