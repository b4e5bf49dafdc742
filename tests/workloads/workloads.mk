# Test workloads for perfscope: programs with exactly known CPU behaviour.
#
# Included from the top-level Makefile, or used on its own from the
# repository root:
#     make -f tests/workloads/workloads.mk workloads
#
# Paths are relative to the repository root.  Only CC is taken from outside
# (make's built-in default is cc).

# Including this fragment must not change the includer's default goal, so
# remember it and restore it at the end.
WL_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

WORKLOAD_DIR := tests/workloads
WL_BIN := $(WORKLOAD_DIR)/bin

# Frame pointers are required: perfscope unwinds user stacks through them.
WL_CFLAGS = -O2 -g -fno-omit-frame-pointer -Wall -Wextra
WL_SOFLAGS = -fPIC -shared -fno-omit-frame-pointer

WL_PROGRAMS := cpusplit cpusplit-nopie recursion threads dlmain forker jit \
               shortlived syscalls exitwith demo marker spin ownalloc iowork offwork lockwork network \
               netwait diskwait shortopen misbehave htmlnames soak hostile wrapalloc gofake faulter
WL_LIBS := libhot.so plugin.so libwrap.so
WL_TARGETS := $(addprefix $(WL_BIN)/,$(WL_PROGRAMS) $(WL_LIBS))

WL_COMMON_H := $(WORKLOAD_DIR)/wl_common.h

.PHONY: workloads workloads-clean

workloads: $(WL_TARGETS)

$(WL_BIN):
	mkdir -p $@

# Generic rule: bin/NAME from NAME.c, using the compiler's default PIE-ness.
$(WL_BIN)/%: $(WORKLOAD_DIR)/%.c $(WL_COMMON_H) | $(WL_BIN)
	$(CC) $(WL_CFLAGS) -o $@ $<

# hostile writes into the tracker's files: it knows their layout.
$(WL_BIN)/hostile: $(WORKLOAD_DIR)/hostile.c lib/memory/ps_memproto.h | $(WL_BIN)
	$(CC) $(WL_CFLAGS) -o $@ $<

# Both position-dependent and position-independent main executables, since
# address-to-symbol mapping differs between the two.
$(WL_BIN)/cpusplit: $(WORKLOAD_DIR)/cpusplit.c $(WL_COMMON_H) | $(WL_BIN)
	$(CC) $(WL_CFLAGS) -fPIE -pie -o $@ $<

$(WL_BIN)/cpusplit-nopie: $(WORKLOAD_DIR)/cpusplit.c $(WL_COMMON_H) | $(WL_BIN)
	$(CC) $(WL_CFLAGS) -fno-pie -no-pie -o $@ $<

$(WL_BIN)/threads $(WL_BIN)/soak: $(WL_BIN)/%: $(WORKLOAD_DIR)/%.c $(WL_COMMON_H) | $(WL_BIN)
	$(CC) $(WL_CFLAGS) -pthread -o $@ $<

# The soname keeps DT_NEEDED a plain "libhot.so", found via $ORIGIN.
$(WL_BIN)/libhot.so: $(WORKLOAD_DIR)/libhot.c $(WORKLOAD_DIR)/libhot.h $(WL_COMMON_H) | $(WL_BIN)
	$(CC) $(WL_CFLAGS) $(WL_SOFLAGS) -Wl,-soname,libhot.so -o $@ $<

$(WL_BIN)/plugin.so: $(WORKLOAD_DIR)/plugin.c $(WORKLOAD_DIR)/libhot.h $(WL_COMMON_H) | $(WL_BIN)
	$(CC) $(WL_CFLAGS) $(WL_SOFLAGS) -o $@ $<

$(WL_BIN)/libwrap.so: $(WORKLOAD_DIR)/libwrap.c | $(WL_BIN)
	$(CC) $(WL_CFLAGS) $(WL_SOFLAGS) -Wl,-soname,libwrap.so -o $@ $<

$(WL_BIN)/gofake: $(WORKLOAD_DIR)/gofake.c | $(WL_BIN)
	$(CC) $(WL_CFLAGS) -static -o $@ $<

# wrapalloc's zmalloc is in libwrap.so: an allocation wrapper in a shared library.
$(WL_BIN)/wrapalloc: $(WORKLOAD_DIR)/wrapalloc.c $(WL_BIN)/libwrap.so | $(WL_BIN)
	$(CC) $(WL_CFLAGS) -o $@ $< -L$(WL_BIN) -lwrap -Wl,-rpath,'$$ORIGIN'

# dlmain needs plugin.so next to it at run time, not at link time; the
# order-only prerequisite just makes "make bin/dlmain" usable on its own.
$(WL_BIN)/dlmain: $(WORKLOAD_DIR)/dlmain.c $(WORKLOAD_DIR)/libhot.h $(WL_COMMON_H) \
                  $(WL_BIN)/libhot.so | $(WL_BIN) $(WL_BIN)/plugin.so
	$(CC) $(WL_CFLAGS) -o $@ $< -L$(WL_BIN) -lhot -ldl -Wl,-rpath,'$$ORIGIN'

# Built the way distributions build: -O2 -g, no frame pointers.  Only DWARF
# call-frame information can unwind these.
WL_NOFP_CFLAGS = -O2 -g -fomit-frame-pointer -DWL_NOFP -Wall -Wextra
WL_NOFP_PROGRAMS := cpusplit-nofp libcsplit deeprec dlmain-nofp dlswap cxxwork sighandler memwork \
                    memwork-static cxxalloc
WL_NOFP_LIBS := libhot-nofp.so plugin-nofp.so swap_a.so swap_b.so
WL_TARGETS += $(addprefix $(WL_BIN)/,$(WL_NOFP_PROGRAMS) $(WL_NOFP_LIBS))
workloads: $(addprefix $(WL_BIN)/,$(WL_NOFP_PROGRAMS) $(WL_NOFP_LIBS))

$(WL_BIN)/cpusplit-nofp: $(WORKLOAD_DIR)/cpusplit.c $(WL_COMMON_H) | $(WL_BIN)
	$(CC) $(WL_NOFP_CFLAGS) -o $@ $<

$(WL_BIN)/libcsplit $(WL_BIN)/deeprec $(WL_BIN)/sighandler: $(WL_BIN)/%: $(WORKLOAD_DIR)/%.c $(WL_COMMON_H) | $(WL_BIN)
	$(CC) $(WL_NOFP_CFLAGS) -o $@ $<

$(WL_BIN)/memwork: $(WORKLOAD_DIR)/memwork.c | $(WL_BIN)
	$(CC) $(WL_NOFP_CFLAGS) -pthread -o $@ $<

# No dynamic loader: nothing can be preloaded into it.
# Static: no dynamic loader reads files before main, so its I/O counts are its own.
$(WL_BIN)/iowork: $(WORKLOAD_DIR)/iowork.c | $(WL_BIN)
	$(CC) $(WL_CFLAGS) -static -o $@ $<

$(WL_BIN)/memwork-static: $(WORKLOAD_DIR)/memwork.c | $(WL_BIN)
	$(CC) $(WL_NOFP_CFLAGS) -static -pthread -o $@ $<

CXX ?= g++
$(WL_BIN)/cxxwork: $(WORKLOAD_DIR)/cxxwork.cpp | $(WL_BIN)
	$(CXX) -O2 -g -fomit-frame-pointer -Wall -Wextra -o $@ $<

$(WL_BIN)/cxxalloc: $(WORKLOAD_DIR)/cxxalloc.cpp | $(WL_BIN)
	$(CXX) -O2 -g -fomit-frame-pointer -Wall -Wextra -o $@ $<

$(WL_BIN)/dlswap: $(WORKLOAD_DIR)/dlswap.c $(WL_COMMON_H) | $(WL_BIN) $(WL_BIN)/swap_a.so $(WL_BIN)/swap_b.so
	$(CC) $(WL_NOFP_CFLAGS) -o $@ $< -ldl

$(WL_BIN)/swap_a.so: $(WORKLOAD_DIR)/swaplib.c $(WL_COMMON_H) | $(WL_BIN)
	$(CC) $(WL_NOFP_CFLAGS) -fPIC -shared -DSWAP_A -o $@ $<

$(WL_BIN)/swap_b.so: $(WORKLOAD_DIR)/swaplib.c $(WL_COMMON_H) | $(WL_BIN)
	$(CC) $(WL_NOFP_CFLAGS) -fPIC -shared -o $@ $<

$(WL_BIN)/libhot-nofp.so: $(WORKLOAD_DIR)/libhot.c $(WORKLOAD_DIR)/libhot.h $(WL_COMMON_H) | $(WL_BIN)
	$(CC) $(WL_NOFP_CFLAGS) -fPIC -shared -Wl,-soname,libhot-nofp.so -o $@ $<

$(WL_BIN)/plugin-nofp.so: $(WORKLOAD_DIR)/plugin.c $(WORKLOAD_DIR)/libhot.h $(WL_COMMON_H) | $(WL_BIN)
	$(CC) $(WL_NOFP_CFLAGS) -fPIC -shared -o $@ $<

$(WL_BIN)/dlmain-nofp: $(WORKLOAD_DIR)/dlmain.c $(WORKLOAD_DIR)/libhot.h $(WL_COMMON_H) $(WL_BIN)/libhot-nofp.so | $(WL_BIN) $(WL_BIN)/plugin-nofp.so
	$(CC) $(WL_NOFP_CFLAGS) -DPLUGIN_NAME='"plugin-nofp.so"' -o $@ $< -L$(WL_BIN) -l:libhot-nofp.so -ldl -Wl,-rpath,'$$ORIGIN'

workloads-clean:
	rm -rf $(WL_BIN)

# Restore the includer's default goal; when used standalone, default to
# building the workloads.
ifeq ($(WL_SAVED_DEFAULT_GOAL),)
ifeq ($(words $(MAKEFILE_LIST)),1)
.DEFAULT_GOAL := workloads
else
.DEFAULT_GOAL :=
endif
else
.DEFAULT_GOAL := $(WL_SAVED_DEFAULT_GOAL)
endif
