/* Integer constants cast to pointer types, as sqlite3.h and DPDK write them: SQLITE_STATIC and SQLITE_TRANSIENT
 * are casts of 0 and -1 to a destructor function-pointer type; RTE_GPU_CALLBACK_ANY_DATA is ((void *)-1). */
typedef void (*fx_destructor_type)(void *);

#define FX_STATIC ((fx_destructor_type)0)
#define FX_TRANSIENT ((fx_destructor_type)-1)
#define FX_ANY_DATA ((void *)-1)

int fx_bind_text(const char *text, fx_destructor_type destructor);

/* A function's address is no constant value: skipped with that reason (DPDK's MEMBER_HASH_FUNC). */
int fx_hash(const void *key);
#define FX_HASH_FUNC fx_hash
