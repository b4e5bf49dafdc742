/* Interface of libhot.so, the shared library dlmain links against. */
#ifndef LIBHOT_H
#define LIBHOT_H

/* Units of work per call of hot_in_library() and hot_in_plugin() (~0.1 ms);
 * equal so the two modules get equal CPU time. */
#define HOT_CALL_UNITS 2

void hot_in_library(void);

#endif
