/* plugin.so: a shared object loaded at run time with dlopen() by dlmain, so
 * it is mapped only after the program has started. */
#include "wl_common.h"
#include "libhot.h"

void hot_in_plugin(void);

WL_HOT void hot_in_plugin(void) { WL_BURN(HOT_CALL_UNITS); }
