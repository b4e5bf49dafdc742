/*
 * ps_folded_diff: folded stack files parsed (merged, sorted, limited to
 * 2^53) and two of them compared: the differential lines "stack old new",
 * every function's self and total counts, its change of self share in
 * points, and the old counts scaled to the new total with normalize.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/ps_folded_diff.h"
#include "unit.h"

/* Parses a copy of text into s; the rc of ps_fold_parse. */
static int parse(struct ps_fold_set *s, const char *text, const char *origin, struct ps_error *err)
{
	char *copy = strdup(text);

	if (!copy) {
		memset(s, 0, sizeof(*s));
		return PS_E_NOMEM;
	}
	return ps_fold_parse(s, copy, origin, err);
}

/* Whether parsing text fails with PS_E_INPUT and a message containing want. */
static int refused(const char *text, const char *want)
{
	struct ps_fold_set s;
	struct ps_error err = { 0 };
	int rc = parse(&s, text, "in.folded", &err), ok;

	ok = rc == PS_E_INPUT && strstr(err.msg, want) != NULL;
	if (!ok)
		printf("# '%s': rc %d, '%s'\n", text, rc, err.msg);
	ps_fold_release(&s);
	return ok;
}

static const struct ps_fold_diff_line *line_of(const struct ps_fold_diff *d, const char *stack)
{
	for (size_t i = 0; i < d->nlines; i++)
		if (strcmp(d->lines[i].stack, stack) == 0)
			return &d->lines[i];
	return NULL;
}

static const struct ps_func_delta *func_of(const struct ps_fold_diff *d, const char *name)
{
	for (size_t i = 0; i < d->nfuncs; i++)
		if (strcmp(d->funcs[i].name, name) == 0)
			return &d->funcs[i];
	return NULL;
}

/* A line's counts are exactly (old, new). */
static int counts(const struct ps_fold_diff *d, const char *stack, uint64_t old, uint64_t new)
{
	const struct ps_fold_diff_line *l = line_of(d, stack);

	if (!l) {
		printf("# no line '%s'\n", stack);
		return 0;
	}
	if (l->old_count != old || l->new_count != new)
		printf("# '%s': %llu %llu\n", stack, (unsigned long long)l->old_count, (unsigned long long)l->new_count);
	return l->old_count == old && l->new_count == new;
}

/* A function's self and total counts, old and new, and its change of self share. */
static int fn(const struct ps_fold_diff *d, const char *name, uint64_t old_self, uint64_t new_self,
	      uint64_t old_total, uint64_t new_total, double delta_pts)
{
	const struct ps_func_delta *f = func_of(d, name);

	if (!f) {
		printf("# no function '%s'\n", name);
		return 0;
	}
	if (f->old_self != old_self || f->new_self != new_self || f->old_total != old_total ||
	    f->new_total != new_total || fabs(f->self_delta_pts - delta_pts) > 1e-9) {
		printf("# %s: self %llu -> %llu, total %llu -> %llu, %+g pts\n", name, (unsigned long long)f->old_self,
		       (unsigned long long)f->new_self, (unsigned long long)f->old_total,
		       (unsigned long long)f->new_total, f->self_delta_pts);
		return 0;
	}
	return 1;
}

static const char *fname(const struct ps_fold_diff *d, size_t i)
{
	return i < d->nfuncs ? d->funcs[i].name : "(none)";
}

static void test_parse(void)
{
	struct ps_fold_set s;
	struct ps_error err = { 0 };
	int rc;

	/* a stack on two lines is one entry; blank lines skipped; sorted by stack */
	rc = parse(&s, "main;b 5\n\n  \t\nmain;a 3\nmain;a 2\n", "x", &err);
	CHECK(rc == 0 && s.n == 2 && s.total == 10, "two stacks, 10 samples; blank lines skipped (rc %d, n %zu, total %llu)",
	      rc, s.n, (unsigned long long)s.total);
	CHECK(s.n == 2 && strcmp(s.items[0].stack, "main;a") == 0 && s.items[0].count == 5 &&
	      strcmp(s.items[1].stack, "main;b") == 0 && s.items[1].count == 5,
	      "main;a on two lines (3 + 2) merged to 5, sorted before main;b");
	ps_fold_release(&s);

	/* the count is the last field: spaces in frames stay, CR and trailing blanks go */
	rc = parse(&s, "main;operator new 4\r\nmain;f   7 \r\n", "x", &err);
	CHECK(rc == 0 && s.n == 2 && strcmp(s.items[0].stack, "main;f") == 0 && s.items[0].count == 7 &&
	      strcmp(s.items[1].stack, "main;operator new") == 0 && s.items[1].count == 4,
	      "CRLF, trailing blanks and several spaces before the count are dropped; a frame keeps its space");
	ps_fold_release(&s);

	rc = parse(&s, "", "x", &err);
	CHECK(rc == 0 && s.n == 0 && s.total == 0, "an empty file: no stacks, total 0 (rc %d)", rc);
	ps_fold_release(&s);
	rc = parse(&s, "\n \n\t\r\n", "x", &err);
	CHECK(rc == 0 && s.n == 0 && s.total == 0, "only blank lines: no stacks (rc %d)", rc);
	ps_fold_release(&s);

	/* malformed lines, named by origin and line number */
	CHECK(refused("main;a 3\nmain;b x\n", "in.folded: line 2: expected"), "a count that is not a number: line 2 named");
	CHECK(refused("main;a\n", "line 1: expected"), "a line without a count is refused");
	CHECK(refused("42\n", "line 1: expected"), "a count without a stack is refused");
	CHECK(refused("\nmain;a -3\n", "line 2: expected"), "a negative count is refused (line 2, after a blank line)");
	CHECK(refused("main;a 3.5\n", "line 1: expected"), "a fractional count is refused");
	CHECK(refused("main;a\t3\n", "line 1: expected"), "a tab is not the separator");

	/* counts up to 2^53 = 9007199254740992, each and in total */
	rc = parse(&s, "a 9007199254740992\n", "x", &err);
	CHECK(rc == 0 && s.n == 1 && s.items[0].count == PS_FOLD_MAX_COUNT && s.total == PS_FOLD_MAX_COUNT,
	      "a count of exactly 2^53 is accepted (rc %d)", rc);
	ps_fold_release(&s);
	CHECK(refused("a 9007199254740993\n", "line 1: a count larger than 2^53"), "2^53 + 1 is refused as too large");
	CHECK(refused("a 1\nb 18446744073709551616\n", "line 2: a count larger than 2^53"),
	      "2^64 (past uint64_t) is refused, not wrapped");
	rc = parse(&s, "a 4503599627370496\nb 4503599627370496\n", "x", &err);
	CHECK(rc == 0 && s.total == PS_FOLD_MAX_COUNT, "two counts of 2^52 add up to 2^53: accepted (rc %d)", rc);
	ps_fold_release(&s);
	CHECK(refused("a 4503599627370496\nb 4503599627370496\n\nc 1\n", "line 4: the counts add up to more than 2^53"),
	      "a total past 2^53 is refused at the line that crosses it");
}

/* Parses both texts and diffs them; 0 or the first error. */
static int diff(struct ps_fold_diff *d, struct ps_fold_set *a, struct ps_fold_set *b, const char *old, const char *new,
		bool normalize)
{
	struct ps_error err = { 0 };
	int rc = parse(a, old, "old", &err);

	if (rc == 0)
		rc = parse(b, new, "new", &err);
	else
		memset(b, 0, sizeof(*b));
	if (rc == 0)
		return ps_fold_diff(d, a, b, normalize, &err);
	memset(d, 0, sizeof(*d));
	return rc;
}

static void release(struct ps_fold_diff *d, struct ps_fold_set *a, struct ps_fold_set *b)
{
	ps_fold_diff_release(d);
	ps_fold_release(a);
	ps_fold_release(b);
}

/*
 * old (10 samples): main;a 3, main;b 5, main;b;c 2
 * new (20 samples): main;a 3, main;b;c 10, main;d 7
 * lines (by stack): main;a 3 3, main;b 5 0, main;b;c 2 10, main;d 0 7.
 * functions, self old -> new (share of 10 -> of 20), total old -> new:
 *   a    3 -> 3  (30% -> 15%: -15 pts), total 3 -> 3
 *   b    5 -> 0  (50% -> 0:   -50 pts), total 7 -> 10 (main;b and main;b;c)
 *   c    2 -> 10 (20% -> 50%: +30 pts), total 2 -> 10
 *   d    0 -> 7  (0 -> 35%:   +35 pts), total 0 -> 7
 *   main 0 -> 0  (0 pts),                total 10 -> 20
 * normalized, old counts times 20/10: 6, 10, 4, 0.
 */
static const char OLD[] = "main;a 3\nmain;b 5\nmain;b;c 2\n";
static const char NEW[] = "main;d 7\nmain;b;c 10\nmain;a 3\n";

static void test_diff(void)
{
	struct ps_fold_set a, b;
	struct ps_fold_diff d;
	int rc;

	rc = diff(&d, &a, &b, OLD, NEW, false);
	CHECK(rc == 0 && d.nlines == 4 && d.old_total == 10 && d.new_total == 20,
	      "four stacks in either file, totals 10 and 20 (rc %d, %zu lines)", rc, d.nlines);
	CHECK(d.nlines == 4 && strcmp(d.lines[0].stack, "main;a") == 0 && strcmp(d.lines[1].stack, "main;b") == 0 &&
	      strcmp(d.lines[2].stack, "main;b;c") == 0 && strcmp(d.lines[3].stack, "main;d") == 0,
	      "the lines sorted by stack");
	CHECK(counts(&d, "main;a", 3, 3) && counts(&d, "main;b;c", 2, 10), "stacks on both sides: 3 3 and 2 10");
	CHECK(counts(&d, "main;b", 5, 0), "a stack only in old is kept with new 0");
	CHECK(counts(&d, "main;d", 0, 7), "a stack only in new is kept with old 0");
	CHECK(d.nfuncs == 5, "five functions: main, a, b, c, d (got %zu)", d.nfuncs);
	CHECK(fn(&d, "a", 3, 3, 3, 3, -15), "a: self 3 -> 3, but 30%% -> 15%% of the samples: -15 points");
	CHECK(fn(&d, "b", 5, 0, 7, 10, -50), "b: self 5 -> 0 (-50 points), total 7 -> 10 as a caller of c");
	CHECK(fn(&d, "c", 2, 10, 2, 10, 30), "c: self 2 -> 10, 20%% -> 50%%: +30 points");
	CHECK(fn(&d, "d", 0, 7, 0, 7, 35), "d, new: self 0 -> 7, +35 points");
	CHECK(fn(&d, "main", 0, 0, 10, 20, 0), "main: never a leaf, in every stack: total 10 -> 20, 0 points");
	CHECK(strcmp(fname(&d, 0), "b") == 0 && strcmp(fname(&d, 1), "d") == 0 && strcmp(fname(&d, 2), "c") == 0 &&
	      strcmp(fname(&d, 3), "a") == 0 && strcmp(fname(&d, 4), "main") == 0,
	      "functions by |change of self share|: b -50, d +35, c +30, a -15, main 0 (got %s %s %s %s %s)",
	      fname(&d, 0), fname(&d, 1), fname(&d, 2), fname(&d, 3), fname(&d, 4));
	release(&d, &a, &b);

	rc = diff(&d, &a, &b, OLD, NEW, true);
	CHECK(rc == 0 && counts(&d, "main;a", 6, 3) && counts(&d, "main;b", 10, 0) && counts(&d, "main;b;c", 4, 10) &&
	      counts(&d, "main;d", 0, 7),
	      "normalized: old counts times 20/10 (6, 10, 4, 0), new unchanged");
	CHECK(fn(&d, "b", 5, 0, 7, 10, -50), "normalizing leaves the functions' counts and shares as they were");
	release(&d, &a, &b);

	/* rounding: old x 1, y 2 (3) scaled to 10: 3.33 -> 3, 6.67 -> 7 */
	rc = diff(&d, &a, &b, "x 1\ny 2\n", "x 5\ny 5\n", true);
	CHECK(rc == 0 && counts(&d, "x", 3, 5) && counts(&d, "y", 7, 5), "normalized 1 and 2 of 3 to 10: rounded to 3 and 7");
	release(&d, &a, &b);
}

static void test_edges(void)
{
	struct ps_fold_set a, b;
	struct ps_fold_diff d;
	int rc;

	rc = diff(&d, &a, &b, "", "", true);
	CHECK(rc == 0 && d.nlines == 0 && d.nfuncs == 0 && d.old_total == 0 && d.new_total == 0,
	      "two empty files: no lines, no functions, totals 0 (rc %d)", rc);
	release(&d, &a, &b);

	/* empty old: every stack new; nothing to scale by, old stays 0 */
	rc = diff(&d, &a, &b, "", "main;f 4\n", true);
	CHECK(rc == 0 && d.nlines == 1 && counts(&d, "main;f", 0, 4) && fn(&d, "f", 0, 4, 0, 4, 100),
	      "an empty old file, normalized: main;f 0 4, f +100 points");
	release(&d, &a, &b);

	/* empty new: every stack removed; normalized to a total of 0 */
	rc = diff(&d, &a, &b, "main;f 4\n", "", true);
	CHECK(rc == 0 && d.nlines == 1 && counts(&d, "main;f", 0, 0) && fn(&d, "f", 4, 0, 4, 0, -100),
	      "an empty new file, normalized: old scaled to the new total 0; f -100 points");
	release(&d, &a, &b);

	/* recursion: a function counts once per stack in its total */
	rc = diff(&d, &a, &b, "a;b;a 4\n", "a;b;a 2\na 2\n", false);
	CHECK(rc == 0 && fn(&d, "a", 4, 4, 4, 4, 0) && fn(&d, "b", 0, 0, 4, 2, 0),
	      "a;b;a: a's total is 4, not 8; b's total 4 -> 2");
	release(&d, &a, &b);

	/* a stack that is a prefix of another is another stack */
	rc = diff(&d, &a, &b, "m;f 1\nm;f;g 1\n", "m;f 1\n", false);
	CHECK(rc == 0 && d.nlines == 2 && counts(&d, "m;f", 1, 1) && counts(&d, "m;f;g", 1, 0),
	      "m;f and m;f;g are two lines (1 1, 1 0)");
	release(&d, &a, &b);

	/*
	 * Counts at 2^53: old a 2^53, new a 2^53 - 1.  Normalized, a's old
	 * count is 2^53 (2^53 - 1) / 2^53 = 2^53 - 1 exactly: the product is
	 * taken in doubles, never in 64 bits (2^106 would wrap).
	 */
	rc = diff(&d, &a, &b, "a 9007199254740992\n", "a 9007199254740991\n", true);
	CHECK(rc == 0 && d.old_total == 9007199254740992ull && counts(&d, "a", 9007199254740991ull, 9007199254740991ull),
	      "normalized at 2^53: old 2^53 scaled to 2^53 - 1 exactly, no overflow");
	CHECK(fn(&d, "a", 9007199254740992ull, 9007199254740991ull, 9007199254740992ull, 9007199254740991ull, 0),
	      "a's counts at 2^53 kept exactly, 100%% of both: 0 points");
	release(&d, &a, &b);

	/* functions with the same |change|: by name */
	rc = diff(&d, &a, &b, "m;y 1\nm;x 1\n", "m;x 1\nm;y 1\n", false);
	CHECK(rc == 0 && d.nfuncs == 3 && strcmp(fname(&d, 0), "m") == 0 && strcmp(fname(&d, 1), "x") == 0 &&
	      strcmp(fname(&d, 2), "y") == 0,
	      "equal changes (all 0): functions by name m, x, y (got %s %s %s)", fname(&d, 0), fname(&d, 1), fname(&d, 2));
	release(&d, &a, &b);
}

/* Many functions: the name table grows past its first 1024 slots and keeps every count. */
static void test_many(void)
{
	struct ps_fold_set a, b;
	struct ps_fold_diff d;
	size_t len = 0, cap = 3000 * 24;
	char *old = malloc(cap), *new = malloc(cap);
	uint64_t self = 0;
	int rc, ok = 1;

	if (!old || !new) {
		free(old);
		free(new);
		CHECK(0, "out of memory");
		return;
	}
	/* old: main;fN 1 for N < 3000; new: main;fN 2 */
	for (int i = 0; i < 3000; i++)
		len += (size_t)snprintf(old + len, cap - len, "main;f%d 1\n", i);
	strcpy(new, old);
	for (char *p = new; (p = strstr(p, " 1\n")); p += 3)
		p[1] = '2';
	rc = diff(&d, &a, &b, old, new, false);
	for (size_t i = 0; rc == 0 && i < d.nfuncs; i++) {
		if (strcmp(d.funcs[i].name, "main") == 0)
			ok &= d.funcs[i].old_total == 3000 && d.funcs[i].new_total == 6000 && d.funcs[i].new_self == 0;
		else
			ok &= d.funcs[i].old_self == 1 && d.funcs[i].new_self == 2 && fabs(d.funcs[i].self_delta_pts) < 1e-9;
		self += d.funcs[i].new_self;
	}
	CHECK(rc == 0 && d.nfuncs == 3001 && d.nlines == 3000 && ok && self == 6000,
	      "3000 leaves and main: 3001 functions, each f self 1 -> 2 (same share), main total 3000 -> 6000 (got %zu)",
	      d.nfuncs);
	release(&d, &a, &b);
	free(old);
	free(new);
}

/*
 * An -O0 build calls compare() (10 of 20 samples in it, from sort); at
 * -O2 it is inlined into sort: compare_[i], 10 of 20.  One function,
 * unchanged, not -50 and +50 points; its callers' totals as before.
 */
static void test_inlined(void)
{
	struct ps_fold_set a, b;
	struct ps_fold_diff d;
	const struct ps_func_delta *f = NULL;
	int rc = diff(&d, &a, &b, "main;sort;compare 10\nmain;sort 10\n",
		      "main;sort;compare_[i] 10\nmain;sort 10\n", false);

	for (size_t i = 0; rc == 0 && i < d.nfuncs; i++)
		if (strcmp(d.funcs[i].name, "compare") == 0)
			f = &d.funcs[i];
	CHECK(rc == 0 && d.nfuncs == 3 && f && f->old_self == 10 && f->new_self == 10 && f->old_total == 10 &&
	      f->new_total == 10 && f->self_delta_pts == 0,
	      "compare and compare_[i] are one function, unchanged (%zu functions)", d.nfuncs);
	CHECK(f && f->old_inlined == 0 && f->new_inlined == 10, "its self time as an inlined copy: 0 -> 10");
	CHECK(rc == 0 && counts(&d, "main;sort;compare", 10, 0) && counts(&d, "main;sort;compare_[i]", 0, 10),
	      "the stacks themselves stay apart: the differential graph shows the inlining");
	release(&d, &a, &b);
}

int main(void)
{
	test_parse();
	test_diff();
	test_inlined();
	test_edges();
	test_many();
	return unit_done();
}
