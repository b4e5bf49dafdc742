/* libhot.so: a linked-in (DT_NEEDED) shared library with one hot function. */
#include "wl_common.h"
#include "libhot.h"

WL_HOT void hot_in_library(void) { WL_BURN(HOT_CALL_UNITS); }
