/*
 * Hand-written shim entry points for what C code reaches through macros, thread-locals or varargs,
 * which no generator can wrap mechanically. Compiled into libdpdksharp_shim.so beside the generated
 * wrappers (see eng/DpdkBindings.targets). Each is short and non-blocking.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <rte_config.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_lpm6.h>
#include <rte_mbuf.h>
#include <rte_pcapng.h>
#include <rte_version.h>

#define DPDKSHARP_EXPORT __attribute__((visibility("default")))

/* rte_errno is a macro over a per-lcore (thread-local) variable. */
DPDKSHARP_EXPORT int dpdksharp_rte_errno_get(void) { return rte_errno; }
DPDKSHARP_EXPORT void dpdksharp_rte_errno_set(int value) { rte_errno = value; }

/* rte_log is variadic: callers from C# pass one preformatted message. */
DPDKSHARP_EXPORT int dpdksharp_rte_log_message(uint32_t level, uint32_t logtype, const char *message)
{
	return rte_log(level, logtype, "%s\n", message);
}


/*
 * DPDK's log into a callback: a fopencookie stream whose writes go to `sink` with the level and type of the
 * message being written (rte_vlog sets them per lcore, then fprintf + fflush: one write per message).
 * Returns the stream for rte_openlog_stream, or NULL (errno set).
 */
typedef void (*dpdksharp_log_sink)(uint32_t level, uint32_t logtype, const char *text, size_t length);
static dpdksharp_log_sink log_sink;

static ssize_t log_stream_write(void *cookie, const char *buf, size_t size)
{
	(void)cookie;
	dpdksharp_log_sink sink = __atomic_load_n(&log_sink, __ATOMIC_ACQUIRE);
	if (sink != NULL && size > 0)
		sink((uint32_t)rte_log_cur_msg_loglevel(), (uint32_t)rte_log_cur_msg_logtype(), buf, size);
	return (ssize_t)size;
}

DPDKSHARP_EXPORT FILE *dpdksharp_log_stream_open(dpdksharp_log_sink sink)
{
	cookie_io_functions_t functions = { .write = log_stream_write };
	FILE *stream = fopencookie(NULL, "w", functions);
	if (stream == NULL)
		return NULL;
	/* Room for any one message: rte_vlog flushes after each, so each arrives whole. */
	setvbuf(stream, NULL, _IOFBF, 8192);
	__atomic_store_n(&log_sink, sink, __ATOMIC_RELEASE);
	return stream;
}

/*
 * Captures what is written to fds 1 and 2 (stdio and anything else) into an anonymous memory file, so a
 * failing rte_eal_init's usage text can be kept out of the caller's terminal. Returns the memory file, or -1.
 */
DPDKSHARP_EXPORT int dpdksharp_stdio_capture_begin(int *saved_out, int *saved_err)
{
	int fd = memfd_create("dpdksharp-eal-output", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	*saved_out = dup(STDOUT_FILENO);
	*saved_err = dup(STDERR_FILENO);
	if (*saved_out < 0 || *saved_err < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) {
		if (*saved_out >= 0) {
			dup2(*saved_out, STDOUT_FILENO);
			close(*saved_out);
		}
		if (*saved_err >= 0) {
			dup2(*saved_err, STDERR_FILENO);
			close(*saved_err);
		}
		close(fd);
		return -1;
	}
	return fd;
}

/* Ends a capture: restores fds 1 and 2, copies up to `capacity` bytes of what was captured, closes the file.
 * Returns the number of bytes captured in all (may exceed capacity). */
DPDKSHARP_EXPORT long dpdksharp_stdio_capture_end(int fd, int saved_out, int saved_err, char *buffer, size_t capacity)
{
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved_out);
	close(saved_err);
	off_t total = lseek(fd, 0, SEEK_END);
	size_t done = 0;
	while (total > 0 && done < capacity && done < (size_t)total) {
		ssize_t n = pread(fd, buffer + done, capacity - done, (off_t)done);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	return total < 0 ? 0 : (long)total;
}


/*
 * Functions whose signatures changed between DPDK releases, behind one signature so the runtime's C# compiles
 * against any release's bindings (eng/fetch-dpdk-headers.sh): the release is chosen here, by the preprocessor.
 */

/* rte_pcapng_copy: 22.11 takes the packet's TSC timestamp; from 23.11 the library reads the TSC itself and takes a comment. */
DPDKSHARP_EXPORT struct rte_mbuf *dpdksharp_pcapng_copy(uint16_t port_id, uint32_t queue, const struct rte_mbuf *m,
	struct rte_mempool *mp, uint32_t length, uint64_t tsc, uint32_t direction)
{
#if RTE_VERSION >= RTE_VERSION_NUM(23, 11, 0, 0)
	(void)tsc;
	return rte_pcapng_copy(port_id, queue, m, mp, length, (enum rte_pcapng_direction)direction, NULL);
#else
	return rte_pcapng_copy(port_id, queue, m, mp, length, tsc, (enum rte_pcapng_direction)direction);
#endif
}

/* rte_lpm6: addresses are 16-byte arrays up to 24.07, struct rte_ipv6_addr (the same 16 bytes) from 24.11. */
#if RTE_VERSION >= RTE_VERSION_NUM(24, 11, 0, 0)
#define DPDKSHARP_IPV6(p) ((const struct rte_ipv6_addr *)(p))
#define DPDKSHARP_IPV6_ARRAY(p) ((struct rte_ipv6_addr *)(p))
#else
#define DPDKSHARP_IPV6(p) (p)
#define DPDKSHARP_IPV6_ARRAY(p) ((uint8_t (*)[RTE_LPM6_IPV6_ADDR_SIZE])(p))
#endif

DPDKSHARP_EXPORT int dpdksharp_lpm6_add(struct rte_lpm6 *lpm, const uint8_t *ip, uint8_t depth, uint32_t next_hop)
{
	return rte_lpm6_add(lpm, DPDKSHARP_IPV6(ip), depth, next_hop);
}

DPDKSHARP_EXPORT int dpdksharp_lpm6_delete(struct rte_lpm6 *lpm, const uint8_t *ip, uint8_t depth)
{
	return rte_lpm6_delete(lpm, DPDKSHARP_IPV6(ip), depth);
}

DPDKSHARP_EXPORT int dpdksharp_lpm6_lookup(const struct rte_lpm6 *lpm, const uint8_t *ip, uint32_t *next_hop)
{
	return rte_lpm6_lookup(lpm, DPDKSHARP_IPV6(ip), next_hop);
}

/* ips: n addresses of 16 bytes, back to back. */
DPDKSHARP_EXPORT int dpdksharp_lpm6_lookup_bulk(const struct rte_lpm6 *lpm, uint8_t *ips, int32_t *next_hops, unsigned int n)
{
	return rte_lpm6_lookup_bulk_func(lpm, DPDKSHARP_IPV6_ARRAY(ips), next_hops, n);
}
