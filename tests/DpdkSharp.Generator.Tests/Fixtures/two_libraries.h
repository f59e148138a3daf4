/* An exported function, which lives in the real library, and a static inline one, which only the shim's wrapper
 * can call (the shim links the real library): their stubs import different libraries. */
int tl_add(int a, int b);

static inline int tl_twice(int x) { return tl_add(x, x); }
