/* The report counts only the macros in scope: with an include filter, a header's other macros (here
 * libc-like ones, as liburing's directory /usr/include brings htobe16, errno, st_atime) are neither bound
 * nor skips. */
#define fx_htobe16(x) __builtin_bswap16(x)
#define fx_errno (*fx_errno_location())
#define fx_st_atime fx_st_atim.tv_sec
#define FX_RING_SETUP_IOPOLL (1U << 0)
#define FX_RING_NOT_CONSTANT (*fx_errno_location())
#define FX_RING_FUNCTION_LIKE(x) ((x) + 1)
int *fx_errno_location(void);
