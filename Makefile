# perfscope Makefile.  Works without ./configure (it asks pkg-config);
# ./configure, if run, checks dependencies up front and writes config.mk.
#
# Targets:
#   make              build build/perfscope
#   make check        install missing Debian packages (as root), build, run all tests
#   make demo         install, build, profile the demo workload, print top functions
#   make bench        overhead benchmarks; prints the tables kept in docs/performance.md
#   make fuzz         the fuzz targets with libFuzzer (clang), FUZZ_SECONDS (60) each;
#                     one make target each (fuzz-NAME), so -j2 runs two at a time
#   make lint         cppcheck and clang-tidy (.clang-tidy), clean or failing
#   make check-valgrind  perfscope under valgrind memcheck: every command, format and
#                     error path the suites take, once (tests/valgrind.sh)
#   make soak         10 minutes of each of profile, cpu-profile and memory-profile
#                     on busy threads: perfscope's RSS must stay flat (tests/soak.sh;
#                     SOAK_SECONDS per command, default 600; not in check-all)
#   make check-all    check, check SANITIZE=1, check-valgrind, fuzz (-j2, CHECK_FUZZ_SECONDS
#                     a target, 30) and lint: what CI runs
#   make install      PREFIX=/usr/local DESTDIR= (binary, preload library,
#                     man pages, completion)
#   make deps         only install the Debian build and test packages
#   make clean
#
# Knobs:
#   V=1               show full compiler command lines
#   SANITIZE=1        build with AddressSanitizer + UBSan (into build/asan)
#   DEVELOPER=1       turn warnings into errors
#   PREFIX, DESTDIR   installation paths
#   TESTS="a b"       with check: run only tests/a.bats tests/b.bats
#   PROTOC_C          protobuf-c's compiler (default protoc-c), for lib/proto/*.proto

-include $(wildcard config.mk)

PREFIX ?= $(if $(prefix),$(prefix),/usr/local)
CC ?= cc
PKG_CONFIG ?= pkg-config
VERSION := 0.1.0

# Evaluated lazily, so `make deps` works before the libraries exist.
DEP_PKGS := libdw libelf libcjson libprotobuf-c zlib
DEP_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags $(DEP_PKGS) 2>/dev/null)
DEP_LIBS ?= $(shell $(PKG_CONFIG) --libs $(DEP_PKGS) 2>/dev/null) -liberty -lm
# The pprof writer's message code is generated from lib/proto/profile.proto.
PROTOC_C ?= protoc-c

WARNINGS := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE -Ilib $(CFLAGS) $(WARNINGS) $(DEP_CFLAGS) -fno-omit-frame-pointer \
	-DPERFSCOPE_VERSION='"$(VERSION)"' -MMD -MP
ALL_LDFLAGS = $(LDFLAGS)

BUILD := build
ifeq ($(SANITIZE),1)
BUILD := build/asan
ALL_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=undefined
ALL_LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(DEVELOPER),1)
ALL_CFLAGS += -Werror
endif

ifneq ($(V),1)
Q = @
QUIET_CC = @echo "  CC      $@";
QUIET_LINK = @echo "  LINK    $@";
QUIET_GEN = @echo "  GEN     $@";
endif

LIB_SRC := $(sort $(wildcard lib/*/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
PERFSCOPE := $(BUILD)/perfscope
LIBPERFSCOPE := $(BUILD)/libperfscope.a

# The allocation tracker preloaded into targets of memory-profile.  Never
# sanitized (a sanitizer runtime cannot be preloaded after the program's).
PRELOAD_SRC := $(sort $(wildcard preload/*.c))
PRELOAD := $(BUILD)/libperfscope-preload.so
PRELOAD_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(CFLAGS) $(WARNINGS) -fPIC -fvisibility=hidden \
	-fno-omit-frame-pointer -ftls-model=initial-exec -pthread
ifeq ($(DEVELOPER),1)
PRELOAD_CFLAGS += -Werror
endif

all: $(PERFSCOPE) $(PRELOAD)

$(PRELOAD): $(PRELOAD_SRC) preload/pl.h lib/memory/ps_memproto.h lib/unwind/ps_cfa_rule.h
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(PRELOAD_CFLAGS) -shared -Wl,-z,nodelete -o $@ $(PRELOAD_SRC) -ldl -lm

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# System call names by number, from the C library's <sys/syscall.h>.
GEN := $(BUILD)/gen
$(GEN)/ps_syscall_names.h:
	@mkdir -p $(dir $@)
	$(Q)echo '#include <sys/syscall.h>' | $(CC) -dM -E - | \
		sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9][0-9]*\)$$/\t[\2] = "\1",/p' > $@.tmp
	$(Q)mv $@.tmp $@
$(BUILD)/lib/model/ps_syscall_stats.o: $(GEN)/ps_syscall_names.h
$(BUILD)/lib/model/ps_syscall_stats.o: ALL_CFLAGS += -I$(GEN)

# pprof's profile.proto as C structs and descriptors (protobuf-c), made
# from our copy of the format; the .h comes with the .c.
PROTO_OBJ := $(GEN)/profile.pb-c.o
$(GEN)/profile.pb-c.c: lib/proto/profile.proto
	@mkdir -p $(dir $@)
	$(QUIET_GEN)$(PROTOC_C) --c_out=$(GEN) --proto_path=lib/proto $<
$(GEN)/profile.pb-c.h: $(GEN)/profile.pb-c.c
$(PROTO_OBJ): $(GEN)/profile.pb-c.c $(GEN)/profile.pb-c.h
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -I$(GEN) -c -o $@ $<
$(BUILD)/lib/report/ps_report_pprof.o: $(GEN)/profile.pb-c.h
$(BUILD)/lib/report/ps_report_pprof.o: ALL_CFLAGS += -I$(GEN)

# The built-in rules are share/rules.json itself (.incbin in the object).
$(BUILD)/lib/analyze/ps_rules_default.o: share/rules.json
$(BUILD)/lib/memory/ps_alloc_layer_default.o: share/alloc-layer.txt
$(BUILD)/lib/render/ps_flamegraph_js.o: share/flamegraph.js
$(BUILD)/lib/render/ps_html_assets.o: share/report.css share/report.js

$(LIBPERFSCOPE): $(LIB_OBJ) $(PROTO_OBJ)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(PERFSCOPE): $(CLI_OBJ) $(LIBPERFSCOPE)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(LIBPERFSCOPE) $(DEP_LIBS)

include tests/workloads/workloads.mk
include tests/fuzz/fuzz.mk

# Static analysis: cppcheck, and clang-tidy with the checks in .clang-tidy.
LINT_SRC := $(LIB_SRC) $(CLI_SRC) $(PRELOAD_SRC)
LINT_FLAGS = -std=gnu11 -D_GNU_SOURCE $(DEP_CFLAGS) -Ilib -I$(GEN)
lint: $(GEN)/ps_syscall_names.h $(GEN)/profile.pb-c.h
	$(Q)echo "lint: cppcheck"
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 --inline-suppr \
		-D__x86_64__ -D_GNU_SOURCE --suppress=missingIncludeSystem --suppress=missingInclude \
		-Ilib lib cli preload tests/fuzz
	$(Q)echo "lint: lib/'s folders include downward only (tests/lint_layers.py)"
	$(Q)python3 tests/lint_layers.py
	$(Q)echo "lint: every function a lib/ header declares is called elsewhere (tests/lint_unused.py)"
	$(Q)python3 tests/lint_unused.py
	$(Q)echo "lint: bats checks that cannot fail (tests/lint_bats.py)"
	$(Q)python3 tests/lint_bats.py tests/*.bats tests/common.bash
	$(Q)echo "lint: clang-tidy, $(words $(LINT_SRC)) files"
	$(Q)printf '%s\n' $(LINT_SRC) | xargs -P "$$(nproc)" -I{} \
		sh -c 'clang-tidy --quiet "$$1" -- $(LINT_FLAGS) 2>/dev/null || { echo "lint: $$1"; exit 1; }' sh {}

# perfscope itself under valgrind memcheck, each path once (tests/valgrind.sh).
check-valgrind: test-deps
	$(Q)$(MAKE) --no-print-directory all workloads
	$(Q)PERFSCOPE=$(CURDIR)/$(PERFSCOPE) tests/valgrind.sh

# perfscope's own memory over long runs (tests/soak.sh; make check runs a
# short one, tests/soak.bats).
soak: test-deps
	$(Q)$(MAKE) --no-print-directory all workloads
	$(Q)PERFSCOPE=$(CURDIR)/$(PERFSCOPE) tests/soak.sh

# Everything CI runs: the suite plain and under ASan/UBSan, memcheck, the
# fuzzers, the linters; each stage's time is printed (CI's budget: README, Tests).
STAGE = build-aux/stage.sh
# each fuzz target's time in check-all: its corpus is replayed by make check
# anyway, and 11 targets at 60 s took a fifth of CI's budget
CHECK_FUZZ_SECONDS ?= 30
check-all:
	$(Q)$(STAGE) check $(MAKE) --no-print-directory check
	$(Q)$(STAGE) "check SANITIZE=1" $(MAKE) --no-print-directory check SANITIZE=1
	$(Q)$(STAGE) check-valgrind $(MAKE) --no-print-directory check-valgrind
	$(Q)$(STAGE) fuzz $(MAKE) --no-print-directory -j2 fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS)
	$(Q)$(STAGE) lint $(MAKE) --no-print-directory lint

# Unit tests: small C programs linked against the library.
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)

$(BUILD)/tests/unit/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIBPERFSCOPE)
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -Ilib $(ALL_LDFLAGS) -o $@ $< $(LIBPERFSCOPE) $(DEP_LIBS)

# Test helpers (seccomp wrapper, inline workload): never sanitized.
HELPER_SRC := $(sort $(wildcard tests/helpers/*.c))
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=build/helpers/%)

build/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) -O2 -g -fno-omit-frame-pointer -Wall -Wextra -pthread -o $@ $<

# The allocation benchmark is built like distribution code: no frame pointers.
build/helpers/allocwork: tests/helpers/allocwork.c
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) -O2 -g -fomit-frame-pointer -Wall -Wextra -pthread -o $@ $<

# The pprof reader of the export tests, against the same generated code.
build/helpers/pprofdump: tests/helpers/pprofdump.c $(GEN)/profile.pb-c.c $(GEN)/profile.pb-c.h
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) -O2 -g -Wall -Wextra -I$(GEN) $(DEP_CFLAGS) -o $@ $< $(GEN)/profile.pb-c.c \
		$(DEP_LIBS)

helpers: $(HELPER_BIN)

deps:
	$(Q)build-aux/install-deps.sh

test-deps:
	$(Q)build-aux/install-deps.sh --test

configure: configure.ac
	autoconf

config.mk: configure config.mk.in
	./configure

check: test-deps
	$(Q)$(MAKE) --no-print-directory all workloads unit-tests helpers fuzz-replay
	$(Q)PERFSCOPE=$(CURDIR)/$(PERFSCOPE) UNIT_DIR=$(CURDIR)/$(BUILD)/tests/unit \
		FUZZ_REPLAY_DIR=$(CURDIR)/$(FUZZ_REPLAY_DIR) \
		HELPER_DIR=$(CURDIR)/build/helpers tests/run.sh $(TESTS)

unit-tests: $(UNIT_BIN)

demo: deps
	$(Q)$(MAKE) --no-print-directory all workloads
	$(PERFSCOPE) cpu-profile -F 999 --output demo.folded -- $(WL_BIN)/demo --seconds 3
	$(PERFSCOPE) flamegraph --title "perfscope demo" --output demo.svg demo.folded
	@echo "flame graph: demo.svg (open it in a browser); its stacks: demo.folded"

bench: test-deps
	$(Q)$(MAKE) --no-print-directory all workloads helpers
	$(Q)failed=; for s in run dwarf memory profile gate flamegraph inputs realprogs; do \
		start=$$(date +%s); \
		PERFSCOPE=$(CURDIR)/$(PERFSCOPE) tests/bench/$$s.sh || failed="$$failed $$s.sh"; \
		echo "tests/bench/$$s.sh: $$(( $$(date +%s) - start )) s" >&2; echo; \
	done; \
	if [ -n "$$failed" ]; then echo "make bench: targets missed beyond their spread in:$$failed" >&2; exit 1; fi

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 755 $(PERFSCOPE) $(DESTDIR)$(PREFIX)/bin/perfscope
	install -d $(DESTDIR)$(PREFIX)/lib/perfscope
	install -m 644 $(PRELOAD) $(DESTDIR)$(PREFIX)/lib/perfscope/libperfscope-preload.so
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -d $(DESTDIR)$(PREFIX)/share/perfscope
	install -m 644 share/rules.json share/diagnosis.schema.json share/alloc-layer.txt $(DESTDIR)$(PREFIX)/share/perfscope/
	install -m 644 share/completions/perfscope.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/perfscope

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/perfscope \
		$(DESTDIR)$(PREFIX)/lib/perfscope/libperfscope-preload.so \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/perfscope \
		$(DESTDIR)$(PREFIX)/share/perfscope/rules.json \
		$(DESTDIR)$(PREFIX)/share/perfscope/diagnosis.schema.json \
		$(DESTDIR)$(PREFIX)/share/perfscope/alloc-layer.txt
	rm -f $(patsubst man/%,$(DESTDIR)$(PREFIX)/share/man/man1/%,$(wildcard man/*.1))

clean: workloads-clean
	rm -rf build demo.folded

distclean: clean
	rm -rf config.mk config.log config.status configure autom4te.cache

.PHONY: lint check-all check-valgrind soak all check demo bench install uninstall deps test-deps clean distclean unit-tests helpers

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(PROTO_OBJ:.o=.d)
