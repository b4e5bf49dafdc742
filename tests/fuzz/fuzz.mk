# Fuzz targets (tests/fuzz/fuzz_*.c), included from the top-level Makefile.
#
#   make fuzz           build with clang's libFuzzer (+ ASan, UBSan) and run
#                       each target FUZZ_SECONDS (default 60) on its corpus
#                       tests/fuzz/corpus/NAME; a crash leaves its input in
#                       build/fuzz/crash-NAME-* and fails.  Each target is a
#                       make target of its own (fuzz-NAME), so `make -j2 fuzz`
#                       runs two at a time, one a core: what CI does (7 x 60 s
#                       in about 4 minutes on two cores)
#   make fuzz-replay    the same targets with tests/fuzz/replay.c's main,
#                       built like the rest ($(BUILD)): make check runs
#                       every corpus file through them (tests/fuzz.bats)
#
# A crash found is fixed, and its input is added to the target's corpus,
# which makes it a regression test of make check.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_DIR := build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -std=gnu11 -D_GNU_SOURCE -Ilib -g -O1 -fno-omit-frame-pointer $(DEP_CFLAGS) \
	-DPERFSCOPE_VERSION='"$(VERSION)"' $(FUZZ_SAN) -fsanitize=fuzzer-no-link
# the library and the CLI helpers the targets call (not the CLI's main)
FUZZ_CODE_SRC := $(LIB_SRC) $(filter-out cli/perfscope.c,$(CLI_SRC))
FUZZ_CODE_OBJ := $(FUZZ_CODE_SRC:%.c=$(FUZZ_DIR)/%.o) $(FUZZ_DIR)/gen/profile.pb-c.o
FUZZ_BIN := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)

$(FUZZ_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(GEN) -c -o $@ $<
$(FUZZ_DIR)/lib/model/ps_syscall_stats.o: $(GEN)/ps_syscall_names.h
$(FUZZ_DIR)/lib/report/ps_report_pprof.o: $(GEN)/profile.pb-c.h
$(FUZZ_DIR)/gen/profile.pb-c.o: $(GEN)/profile.pb-c.c $(GEN)/profile.pb-c.h
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(GEN) -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_CODE_OBJ)
	$(QUIET_LINK)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_CODE_OBJ) $(DEP_LIBS)

fuzz: $(FUZZ_NAMES:%=fuzz-%)

# one target's run; its log is build/fuzz/NAME.log, its finds build/fuzz/found/NAME
$(FUZZ_NAMES:%=fuzz-%): fuzz-%: $(FUZZ_DIR)/fuzz_%
	$(Q)echo "fuzz: $*, $(FUZZ_SECONDS) s on tests/fuzz/corpus/$*"
	$(Q)mkdir -p $(FUZZ_DIR)/found/$*
	$(Q)LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp \
	$(FUZZ_DIR)/fuzz_$* -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 \
		-artifact_prefix=$(FUZZ_DIR)/crash-$*- -rss_limit_mb=1024 \
		-max_len=$(if $(filter elf,$*),65536,8192) \
		$(FUZZ_DIR)/found/$* tests/fuzz/corpus/$* 2>$(FUZZ_DIR)/$*.log || \
		{ tail -40 $(FUZZ_DIR)/$*.log; echo "fuzz: $* failed; input in $(FUZZ_DIR)/crash-$*-*"; exit 1; }
	$(Q)echo "fuzz: $*: $$(grep -E '^#[0-9]+.*DONE' $(FUZZ_DIR)/$*.log | tail -1)"

# Replay: every corpus input once, through the build being tested.
FUZZ_REPLAY_DIR := $(BUILD)/tests/fuzz
FUZZ_REPLAY := $(FUZZ_NAMES:%=$(FUZZ_REPLAY_DIR)/fuzz_%)
FUZZ_REPLAY_CLI_OBJ := $(filter-out $(BUILD)/cli/perfscope.o,$(CLI_OBJ))

$(FUZZ_REPLAY_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(LIBPERFSCOPE) $(FUZZ_REPLAY_CLI_OBJ)
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -Wno-missing-prototypes $(ALL_LDFLAGS) -o $@ \
		$< tests/fuzz/replay.c $(FUZZ_REPLAY_CLI_OBJ) $(LIBPERFSCOPE) $(DEP_LIBS)

fuzz-replay: $(FUZZ_REPLAY)

# not intermediates: kept between runs
.SECONDARY: $(FUZZ_CODE_OBJ)

.PHONY: fuzz fuzz-replay $(FUZZ_NAMES:%=fuzz-%)
