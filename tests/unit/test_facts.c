/*
 * ps_facts: the fact store (set, replace, gaps by prefix) and the facts
 * ps_facts_from_report() takes out of each kind of input: a cpu-profile's
 * functions, a profile's off-CPU waits, files, system calls and metrics
 * timeline (and the gaps of sections not collected), a memory-profile's
 * leaks, growth and churn, and a plain metrics file with its range checks.
 * Every expected figure is worked out from the JSON the test writes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "analyze/ps_facts.h"
#include "unit.h"

static int near(double x, double want)
{
	return fabs(x - want) <= 1e-9;
}

/* The JSON is written with ' for " to keep it readable. */
static int facts_of(struct ps_facts *f, const char *text, struct ps_error *err)
{
	char *copy = strdup(text);
	cJSON *root;
	int rc;

	for (char *p = copy; *p; p++)
		if (*p == '\'')
			*p = '"';
	root = cJSON_Parse(copy);
	free(copy);
	ps_facts_init(f);
	if (!root) {
		printf("# bad test JSON\n");
		return -100;
	}
	memset(err, 0, sizeof(*err));
	rc = ps_facts_from_report(f, root, err);
	cJSON_Delete(root);
	return rc;
}

static double value(const struct ps_facts *f, const char *name)
{
	const struct ps_fact *fact = ps_facts_get(f, name);

	return fact ? fact->value : NAN;
}

static const char *subject(const struct ps_facts *f, const char *name)
{
	const struct ps_fact *fact = ps_facts_get(f, name);

	return fact ? fact->subject : "(no such fact)";
}

static int cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

static void store(void)
{
	struct ps_facts f;
	char name[16];
	int all = 1;

	ps_facts_init(&f);
	CHECK(f.n == 0 && f.ngaps == 0 && f.kind[0] == '\0', "an initialised store is empty");
	CHECK(ps_facts_get(&f, "cpu.samples") == NULL, "an empty store has no fact");
	CHECK(ps_facts_set(&f, "cpu.samples", 250, NULL) == 0 && f.n == 1, "a fact is added");
	CHECK(value(&f, "cpu.samples") == 250 && strcmp(subject(&f, "cpu.samples"), "") == 0,
	      "its value is kept and a NULL subject is \"\"");
	ps_facts_set(&f, "offcpu.lock_share", 0.25, "take_lock");
	ps_facts_set(&f, "offcpu.lock_share", 0.5, NULL);
	CHECK(f.n == 2 && value(&f, "offcpu.lock_share") == 0.5 && strcmp(subject(&f, "offcpu.lock_share"), "") == 0,
	      "setting a name again replaces value and subject, no new fact (n %zu)", f.n);
	ps_facts_set(&f, "offcpu.lock_share", 0.5, "take_lock");
	CHECK(strcmp(subject(&f, "offcpu.lock_share"), "take_lock") == 0, "a subject is kept");
	CHECK(ps_facts_get(&f, "offcpu.lock") == NULL && ps_facts_get(&f, "offcpu.lock_share2") == NULL,
	      "names match whole, not by prefix");
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "t.%d", i);
		ps_facts_set(&f, name, i * 2, NULL);
	}
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "t.%d", i);
		all &= value(&f, name) == i * 2;
	}
	CHECK(f.n == 102 && all, "102 facts after growing, each with its value");

	ps_facts_gap(&f, "offcpu.", "first reason");
	ps_facts_gap(&f, "offcpu.lock", "second reason");
	CHECK(f.ngaps == 2, "two gaps recorded");
	CHECK(ps_facts_gap_reason(&f, "offcpu.lock_share") &&
	      strcmp(ps_facts_gap_reason(&f, "offcpu.lock_share"), "first reason") == 0,
	      "a gap covers names under its prefix; the first that matches wins");
	CHECK(ps_facts_gap_reason(&f, "offcpu") == NULL, "\"offcpu\" is not under \"offcpu.\"");
	CHECK(ps_facts_gap_reason(&f, "cpu.samples") == NULL, "no gap for another prefix");
	ps_facts_release(&f);
	CHECK(f.n == 0 && f.items == NULL && f.gaps == NULL, "released: empty again");
}

static void cpu_profile(void)
{
	struct ps_facts f;
	struct ps_error err;
	int rc;

	rc = facts_of(&f, "{'metadata': {'samples': 400}, 'functions': ["
		      "{'name': 'a', 'self_pct': 10}, {'name': 'b', 'self_pct': 42.5},"
		      "{'name': 'c', 'self_pct': 42.5}, {'name': 'd'}]}", &err);
	CHECK(rc == 0 && strcmp(f.kind, "cpu-profile") == 0, "functions + metadata: a cpu-profile (rc %d, kind %s)",
	      rc, f.kind);
	CHECK(value(&f, "cpu.samples") == 400, "cpu.samples from metadata.samples: 400");
	/* 42.5% -> 0.425; b and c tie, the first in the list is kept */
	CHECK(near(value(&f, "cpu.top_function_share"), 0.425) && strcmp(subject(&f, "cpu.top_function_share"), "b") == 0,
	      "top function share 42.5%% / 100 = 0.425, about b, the first of the tie (got %g, %s)",
	      value(&f, "cpu.top_function_share"), subject(&f, "cpu.top_function_share"));
	CHECK(f.n == 2, "a cpu-profile gives two facts (got %zu)", f.n);
	CHECK(ps_facts_gap_reason(&f, "offcpu.lock_share") &&
	      strcmp(ps_facts_gap_reason(&f, "offcpu.lock_share"), "cpu-profile records no waits: run perfscope profile") == 0,
	      "off-CPU facts are a gap in a cpu-profile");
	CHECK(ps_facts_gap_reason(&f, "sched.delay_share") != NULL, "so is the scheduler delay");
	CHECK(ps_facts_gap_reason(&f, "cpu.samples") == NULL, "CPU facts are not");
	ps_facts_release(&f);

	rc = facts_of(&f, "{'metadata': {}, 'functions': []}", &err);
	CHECK(rc == 0 && value(&f, "cpu.samples") == 0 && ps_facts_get(&f, "cpu.top_function_share") == NULL,
	      "no functions: cpu.samples 0 and no top function share");
	ps_facts_release(&f);

	rc = facts_of(&f, "{'kind': 'flamegraph'}", &err);
	CHECK(rc == PS_E_INPUT && strcmp(err.msg, "a report of kind 'flamegraph' is not one perfscope reads") == 0,
	      "an unknown kind is refused, named (%s)", err.msg);
	ps_facts_release(&f);
	rc = facts_of(&f, "[1, 2]", &err);
	CHECK(rc == PS_E_INPUT && strcmp(err.msg, "expected a JSON object at the top") == 0, "a list at the top is refused");
	ps_facts_release(&f);
}

/* A profile: 5 s of thread wall time, waits by reason, two files and a socket, system calls. */
#define PROFILE_BODY \
	"'cpu': {'metadata': {'samples': 250, 'duration_s': 2}, 'functions': [{'name': 'crunch', 'self_pct': 60}]}," \
	"'offcpu': {'threads': [{'wall_s': 2}, {'wall_s': 3}], 'runnable_s': 0.5," \
	"  'blocked_by_reason_s': {'disk': 1, 'network': 0.5, 'lock': 2}," \
	"  'top': [{'reason': 'lock', 'blocked_s': 0.5, 'stack': [{'function': 'futex_wait', 'module': '[kernel.kallsyms]'}," \
	"             {'function': 'pthread_join', 'module': 'libc.so.6'}, {'function': 'main', 'module': 'app'}]}," \
	"          {'reason': 'disk', 'blocked_s': 0.9, 'stack': [{'function': 'do_read', 'module': 'app'}]}," \
	"          {'reason': 'lock', 'blocked_s': 1.2, 'stack': [{'function': 'futex_wait', 'module': '[kernel.kallsyms]'}," \
	"             {'function': '__lll_lock_wait', 'module': 'libc.so.6'}, {'function': 'take_lock', 'module': 'app'}]}," \
	"          {'reason': 'lock', 'blocked_s': 0.3, 'stack': [{'function': 'other_lock', 'module': 'app'}]}]}," \
	"'files': [{'kind': 'file', 'name': 'a.db', 'read_s': 0.2, 'write_s': 0.1, 'sync_s': 0.3, 'writes': 10, 'written_bytes': 40960}," \
	"          {'kind': 'file', 'name': 'b.log', 'read_s': 0.5, 'write_s': 0.3, 'writes': 30, 'written_bytes': 20480}," \
	"          {'kind': 'socket', 'name': 'tcp:db', 'read_s': 0.4, 'write_s': 0.1, 'writes': 100, 'written_bytes': 9}," \
	"          {'kind': 'socket', 'name': 'tcp:cache', 'read_s': 0.1}]," \
	"'syscalls': {'calls': [{'name': 'read', 'count': 300}, {'name': 'write', 'count': 500}]}"

static void profile(void)
{
	struct ps_facts f;
	struct ps_error err;
	const char *why;
	int rc;

	rc = facts_of(&f, "{'kind': 'profile', " PROFILE_BODY ", 'metrics': {"
		      "'columns': ['t', 'cpu_user_pct', 'cpu_system_pct', 'threads', 'machine_mem_pct'],"
		      "'timeline': [[0, 99, 99, 4, 50], [1, 30, 10, 8, 55], [2, 50, 20, 6, 60]],"
		      "'trends': {'fds': 0.5, 'rss_bytes': 100000}}}", &err);
	CHECK(rc == 0 && strcmp(f.kind, "profile") == 0, "a profile is read (rc %d)", rc);
	CHECK(value(&f, "cpu.samples") == 250 && near(value(&f, "cpu.top_function_share"), 0.6) &&
	      strcmp(subject(&f, "cpu.top_function_share"), "crunch") == 0, "its cpu section: 250 samples, crunch 0.6");
	/* wall 2 + 3 = 5 s */
	CHECK(near(value(&f, "offcpu.disk_share"), 0.2), "disk share 1 / 5 = 0.2 (got %g)", value(&f, "offcpu.disk_share"));
	CHECK(strcmp(subject(&f, "offcpu.disk_share"), "b.log") == 0,
	      "about b.log: 0.5+0.3+0 = 0.8 s against a.db's 0.2+0.1+0.3 = 0.6 s (got %s)", subject(&f, "offcpu.disk_share"));
	CHECK(near(value(&f, "offcpu.network_share"), 0.1) && strcmp(subject(&f, "offcpu.network_share"), "tcp:db") == 0,
	      "network share 0.5 / 5 = 0.1, about the socket with most read+write (tcp:db, 0.5 s)");
	/* lock 2 s, of which the 0.5 s in pthread_join is a join, not a lock */
	CHECK(near(value(&f, "offcpu.lock_share"), 0.3), "lock share (2 - 0.5 join) / 5 = 0.3 (got %g)",
	      value(&f, "offcpu.lock_share"));
	CHECK(strcmp(subject(&f, "offcpu.lock_share"), "take_lock") == 0,
	      "about the first lock stack that is no join, by its first frame outside the kernel and libc "
	      "(got %s)", subject(&f, "offcpu.lock_share"));
	CHECK(near(value(&f, "sched.delay_share"), 0.1), "scheduler delay 0.5 / 5 = 0.1");
	/* files of kind file with writes: (40960 + 20480) / (10 + 30) */
	CHECK(near(value(&f, "io.mean_write_bytes"), 1536) && strcmp(subject(&f, "io.mean_write_bytes"), "b.log") == 0,
	      "mean write 61440 / 40 = 1536 bytes (sockets aside), about b.log with most writes (got %g)",
	      value(&f, "io.mean_write_bytes"));
	/* sync 0.3 of all file I/O 0.6 + 0.8 = 1.4 s */
	CHECK(near(value(&f, "io.sync_share"), 0.3 / 1.4) && strcmp(subject(&f, "io.sync_share"), "a.db") == 0,
	      "sync share 0.3 / 1.4 = 0.214, about a.db (got %g)", value(&f, "io.sync_share"));
	CHECK(near(value(&f, "syscalls.per_second"), 400) && strcmp(subject(&f, "syscalls.per_second"), "write") == 0,
	      "system calls (300 + 500) / 2 s = 400/s, the most write (got %g)", value(&f, "syscalls.per_second"));
	/* the first row has no interval before it: (30+10 + 50+20) / 2 */
	CHECK(near(value(&f, "process.cpu_percent"), 55), "CPU percent (40 + 70) / 2 = 55, the first row left out "
	      "(got %g)", value(&f, "process.cpu_percent"));
	CHECK(near(value(&f, "process.threads_per_cpu"), 8.0 / cpus()),
	      "threads per CPU: the most threads, 8, over %d CPUs (got %g)", cpus(), value(&f, "process.threads_per_cpu"));
	CHECK(value(&f, "machine.memory_percent") == 60, "machine memory: the last row's 60");
	CHECK(near(value(&f, "process.fds_per_min"), 30), "descriptors 0.5/s * 60 = 30/min");
	CHECK(near(value(&f, "memory.growth_mb_per_min"), 6), "growth 100000 B/s * 60 / 1e6 = 6 MB/min (got %g)",
	      value(&f, "memory.growth_mb_per_min"));
	why = ps_facts_gap_reason(&f, "memory.leaked_bytes");
	CHECK(why && strstr(why, "profile does not track allocations") && !ps_facts_get(&f, "memory.leaked_bytes"),
	      "leaks are a gap in a profile");
	CHECK(ps_facts_gap_reason(&f, "offcpu.disk_share") == NULL, "collected sections leave no gap");
	ps_facts_release(&f);

	/* sections not collected: their facts are gaps, with the note */
	rc = facts_of(&f, "{'kind': 'profile', 'metadata': {'sections': {"
		      "'offcpu': {'collected': false, 'note': 'needs root'}, 'syscalls': {'collected': false},"
		      "'metrics': {'collected': true}}}, " PROFILE_BODY "}", &err);
	why = ps_facts_gap_reason(&f, "offcpu.lock_share");
	CHECK(rc == 0 && why && strcmp(why, "the offcpu section was not collected: needs root") == 0,
	      "offcpu not collected: a gap with its note (%s)", why ? why : "none");
	CHECK(ps_facts_gap_reason(&f, "sched.delay_share") && !ps_facts_get(&f, "offcpu.disk_share") &&
	      !ps_facts_get(&f, "sched.delay_share"), "and no off-CPU or scheduler facts, although the data is there");
	why = ps_facts_gap_reason(&f, "io.sync_share");
	CHECK(why && strcmp(why, "the syscalls section was not collected: no reason given") == 0,
	      "syscalls not collected without a note: \"no reason given\", for io. too");
	CHECK(!ps_facts_get(&f, "io.mean_write_bytes") && !ps_facts_get(&f, "syscalls.per_second"),
	      "and no file or system call facts");
	CHECK(ps_facts_gap_reason(&f, "process.cpu_percent") == NULL && value(&f, "cpu.samples") == 250,
	      "a collected section is no gap; CPU facts are still there");
	ps_facts_release(&f);

	/* nothing measured: shares of no wall time are 0, not NaN */
	rc = facts_of(&f, "{'kind': 'profile', 'offcpu': {'blocked_by_reason_s': {'disk': 3}}, 'files': ["
		      "{'kind': 'file', 'name': 'x', 'writes': 0, 'written_bytes': 100}]}", &err);
	CHECK(rc == 0 && value(&f, "offcpu.disk_share") == 0 && value(&f, "offcpu.lock_share") == 0,
	      "no thread wall time: the shares are 0");
	CHECK(!ps_facts_get(&f, "io.mean_write_bytes") && !ps_facts_get(&f, "io.sync_share") &&
	      !ps_facts_get(&f, "syscalls.per_second") && !ps_facts_get(&f, "process.cpu_percent"),
	      "no writes, no file time, no duration, no timeline: none of their facts");
	ps_facts_release(&f);
}

static void memory_profile(void)
{
	struct ps_facts f;
	struct ps_error err;
	int rc;

	rc = facts_of(&f, "{'kind': 'memory-profile', 'metadata': {'duration_s': 4},"
		      "'summary': {'growth_bytes_per_s': 50000, 'allocations': 1000000},"
		      "'processes': [{'leaks': {'definite': {'bytes': 1000}}, 'growing_sites': [{'site': 1}]},"
		      "              {'leaks': {'definite': {'bytes': 500}}}],"
		      "'sites': [{'stack': [{'function': 'malloc', 'module': 'libc.so.6'}, {'function': 'make_node', 'module': 'app'}],"
		      "           'leaks': {'definite': {'bytes': 1200}}, 'temporary': 5},"
		      "          {'stack': [{'function': 'grow_cache', 'module': 'app'}], 'leaks': {'definite': {'bytes': 300}},"
		      "           'temporary': 50},"
		      "          {'stack': [{'function': 'malloc', 'module': 'libc.so.6'}, {'function': 'calloc', 'module': 'libc.so.6'}],"
		      "           'temporary': 7}]}", &err);
	CHECK(rc == 0 && strcmp(f.kind, "memory-profile") == 0, "a memory-profile is read");
	CHECK(value(&f, "memory.leaked_bytes") == 1500 && strcmp(subject(&f, "memory.leaked_bytes"), "make_node") == 0,
	      "leaked 1000 + 500 = 1500 bytes over the processes, the most from site 0's own frame make_node (%g, %s)",
	      value(&f, "memory.leaked_bytes"), subject(&f, "memory.leaked_bytes"));
	CHECK(near(value(&f, "memory.growth_mb_per_min"), 3) &&
	      strcmp(subject(&f, "memory.growth_mb_per_min"), "grow_cache") == 0,
	      "growth 50000 * 60 / 1e6 = 3 MB/min at the first growing site (1: grow_cache)");
	CHECK(near(value(&f, "memory.allocations_per_second"), 250000) &&
	      strcmp(subject(&f, "memory.allocations_per_second"), "grow_cache") == 0,
	      "allocations 1000000 / 4 s = 250000/s, the most temporary at grow_cache (50)");
	CHECK(ps_facts_gap_reason(&f, "cpu.top_function_share") && ps_facts_gap_reason(&f, "offcpu.lock_share") &&
	      ps_facts_gap_reason(&f, "syscalls.per_second") && ps_facts_gap_reason(&f, "io.sync_share"),
	      "CPU, off-CPU, system call and I/O facts are gaps");
	ps_facts_release(&f);

	/* nothing leaked, no growing site, no duration; a stack of libc alone is named by its first frame */
	rc = facts_of(&f, "{'kind': 'memory-profile', 'summary': {}, 'processes': [{}],"
		      "'sites': [{'stack': [{'function': 'malloc', 'module': 'libc.so.6'}, {'function': 'calloc', 'module': 'libc.so.6'}],"
		      "           'leaks': {'definite': {'bytes': 64}}}]}", &err);
	CHECK(rc == 0 && value(&f, "memory.leaked_bytes") == 0,
	      "site leaks alone do not add up to the processes' (0 leaked)");
	CHECK(strcmp(subject(&f, "memory.leaked_bytes"), "malloc") == 0,
	      "a stack of libc frames only is named by its first frame (got %s)", subject(&f, "memory.leaked_bytes"));
	CHECK(strcmp(subject(&f, "memory.growth_mb_per_min"), "the heap") == 0 && value(&f, "memory.growth_mb_per_min") == 0,
	      "no growing site: growth 0 about \"the heap\"");
	CHECK(ps_facts_get(&f, "memory.allocations_per_second") == NULL, "no duration: no allocation rate");
	ps_facts_release(&f);
}

static void metrics(void)
{
	struct ps_facts f;
	struct ps_error err;
	char big[2048];
	size_t used;
	int rc;

	rc = facts_of(&f, "{'cpu_percent': 150, 'memory_percent': 100, 'threads': 16, 'open_files': 12,"
		      "'memory_growth_mb_per_min': -2.5, 'custom': 1, 'operations': ["
		      "{'name': 'login', 'count': 3, 'avg_ms': 120}, {'name': 'search', 'avg_ms': 900},"
		      "{'name': 'ping', 'avg_ms': 900}], 'other': 'x'}", &err);
	CHECK(rc == 0 && strcmp(f.kind, "metrics") == 0, "a plain metrics file (rc %d: %s)", rc, err.msg);
	CHECK(value(&f, "process.cpu_percent") == 150 && value(&f, "machine.memory_percent") == 100 &&
	      value(&f, "process.open_files") == 12 && value(&f, "memory.growth_mb_per_min") == -2.5,
	      "its numbers, memory at exactly 100%% and a negative growth taken");
	CHECK(near(value(&f, "process.threads_per_cpu"), 16.0 / cpus()), "16 threads over %d CPUs", cpus());
	CHECK(value(&f, "operations.max_avg_ms") == 900 && strcmp(subject(&f, "operations.max_avg_ms"), "search") == 0,
	      "the slowest operation: search at 900 ms, the first of the tie");
	CHECK(strcmp(f.notes, "ignored unknown fields: custom, other") == 0, "unknown fields are named in the notes (%s)",
	      f.notes);
	ps_facts_release(&f);

	rc = facts_of(&f, "{'operations': {'a': {'avg_ms': 5}, 'b': {'avg_ms': 7}}}", &err);
	CHECK(rc == 0 && value(&f, "operations.max_avg_ms") == 7 && strcmp(subject(&f, "operations.max_avg_ms"), "b") == 0,
	      "operations as an object: named by their keys (b, 7 ms)");
	ps_facts_release(&f);
	rc = facts_of(&f, "{'operations': []}", &err);
	CHECK(rc == 0 && f.n == 0 && f.notes[0] == '\0', "no operations: no fact, no note");
	ps_facts_release(&f);

#define REFUSED(json, want, what)                                                          \
	do {                                                                               \
		rc = facts_of(&f, json, &err);                                             \
		CHECK(rc == PS_E_INPUT && strcmp(err.msg, want) == 0, what " (%s)", err.msg); \
		ps_facts_release(&f);                                                      \
	} while (0)
	REFUSED("{'cpu_percent': '50'}", "the field 'cpu_percent' must be a number", "a number as a string");
	REFUSED("{'memory_percent': 100.5}", "the field 'memory_percent' is out of range (100.5): it must be a "
		"number from 0 to 100", "memory over 100%%");
	REFUSED("{'cpu_percent': -1}", "the field 'cpu_percent' is out of range (-1): it must be a number from 0 "
		"to 1000000", "a negative CPU percent");
	REFUSED("{'threads': 2.5}", "the field 'threads' is out of range (2.5): it must be a whole number from 0 "
		"to 2147483647", "a thread count that is not whole");
	REFUSED("{'open_files': 1e400}", "the field 'open_files' is out of range (too large for a number): it "
		"must be a whole number from 0 to 2147483647", "a count past a double's range");
	REFUSED("{'operations': 5}", "the field 'operations' must be a list or an object", "operations a number");
	REFUSED("{'operations': [{'name': 'a'}]}", "each operation needs a name and a number 'avg_ms'",
		"an operation without avg_ms");
	REFUSED("{'operations': [{'name': 'a', 'avg_ms': -1}]}", "operation 'a': avg_ms is out of range: it must "
		"be a number of milliseconds from 0 to 1e12", "a negative avg_ms");
#undef REFUSED

	/* 60 unknown fields of 8 characters: far over the 511 the notes hold */
	used = (size_t)snprintf(big, sizeof(big), "{");
	for (int i = 0; i < 60; i++)
		used += (size_t)snprintf(big + used, sizeof(big) - used, "%s'field%02d': 1", i ? ", " : "", i);
	snprintf(big + used, sizeof(big) - used, "}");
	rc = facts_of(&f, big, &err);
	CHECK(rc == 0 && strlen(f.notes) == sizeof(f.notes) - 1 &&
	      strncmp(f.notes, "ignored unknown fields: field00, field01", 40) == 0,
	      "many unknown fields: the notes are cut at 511 characters (got %zu)", strlen(f.notes));
	ps_facts_release(&f);
}

int main(void)
{
	store();
	cpu_profile();
	profile();
	memory_profile();
	metrics();
	return unit_done();
}
