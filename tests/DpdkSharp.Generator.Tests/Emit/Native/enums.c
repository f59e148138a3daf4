/* Native side of the enum test. */
#include "enums.h"

enum colour enums_next(enum colour c) { return c == COLOUR_RED ? COLOUR_GREEN : c == COLOUR_GREEN ? COLOUR_BLUE : COLOUR_RED; }
