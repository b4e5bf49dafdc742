/*
 * pprofdump: reads a gzipped pprof profile with protobuf-c (the export
 * tests' reader), checks what every pprof reader relies on, and prints
 *
 *   # key value          facts about the profile (types, period, totals)
 *   process;outer;...;leaf COUNT
 *
 * the samples as folded stacks (first sample value, the "process" label
 * first, "-t": the "thread" label after it), outermost first, inlined
 * functions (every line of a location but its last) with "_[i]".
 *
 * Checks (exit 1, naming the first failure): string_table[0] is "";
 * every string index is in the table; ids are non-zero and unique; every
 * location, mapping and function id referenced exists; each sample has one
 * value per sample type.
 *
 * Usage: pprofdump [-t] FILE.pb.gz
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile Profile;

static const Profile *prof;
static int failed;

static void fail(const char *what, unsigned long long a, unsigned long long b)
{
	if (!failed)
		fprintf(stderr, "pprofdump: %s (%llu, %llu)\n", what, a, b);
	failed = 1;
}

static const char *str(int64_t i)
{
	if (i < 0 || (size_t)i >= prof->n_string_table) {
		fail("string index out of range", (unsigned long long)i, prof->n_string_table);
		return "?";
	}
	return prof->string_table[i];
}

static unsigned char *read_gz(const char *path, size_t *len)
{
	gzFile gz = gzopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0;
	int n;

	*len = 0;
	if (!gz)
		return NULL;
	do {
		if (*len + 65536 > cap) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap);
			if (!buf)
				exit(2);
		}
		n = gzread(gz, buf + *len, 65536);
		if (n > 0)
			*len += (size_t)n;
	} while (n > 0);
	if (n < 0) {
		free(buf);
		buf = NULL;
	}
	gzclose(gz);
	return buf;
}

#define FIND(kind, arr, count, want)                                          \
	static const Perftools__Profiles__##kind *find_##arr(uint64_t id)      \
	{                                                                      \
		for (size_t i = 0; i < prof->count; i++)                       \
			if (prof->arr[i]->id == id)                            \
				return prof->arr[i];                           \
		fail(want, id, 0);                                             \
		return NULL;                                                   \
	}
FIND(Location, location, n_location, "no such location")
FIND(Mapping, mapping, n_mapping, "no such mapping")
FIND(Function, function, n_function, "no such function")

/* ids non-zero and unique, in O(n^2): test profiles are small */
#define CHECK_IDS(arr, count, what)                                            \
	for (size_t i = 0; i < prof->count; i++) {                             \
		if (!prof->arr[i]->id)                                         \
			fail(what " id 0", i, 0);                              \
		for (size_t j = 0; j < i; j++)                                 \
			if (prof->arr[j]->id == prof->arr[i]->id)              \
				fail(what " id twice", prof->arr[i]->id, j);   \
	}

static void check(void)
{
	if (!prof->n_string_table || prof->string_table[0][0])
		fail("string_table[0] is not empty", prof->n_string_table, 0);
	CHECK_IDS(location, n_location, "location")
	CHECK_IDS(mapping, n_mapping, "mapping")
	CHECK_IDS(function, n_function, "function")
	for (size_t i = 0; i < prof->n_sample_type; i++) {
		str(prof->sample_type[i]->type);
		str(prof->sample_type[i]->unit);
	}
	for (size_t i = 0; i < prof->n_comment; i++)
		str(prof->comment[i]);
	for (size_t i = 0; i < prof->n_mapping; i++) {
		str(prof->mapping[i]->filename);
		str(prof->mapping[i]->build_id);
	}
	for (size_t i = 0; i < prof->n_function; i++) {
		str(prof->function[i]->name);
		str(prof->function[i]->system_name);
		str(prof->function[i]->filename);
	}
	for (size_t i = 0; i < prof->n_location; i++) {
		const Perftools__Profiles__Location *l = prof->location[i];

		if (l->mapping_id)
			find_mapping(l->mapping_id);
		for (size_t k = 0; k < l->n_line; k++)
			find_function(l->line[k]->function_id);
	}
	for (size_t i = 0; i < prof->n_sample; i++) {
		const Perftools__Profiles__Sample *s = prof->sample[i];

		if (s->n_value != prof->n_sample_type)
			fail("sample values != sample types", s->n_value, prof->n_sample_type);
		for (size_t k = 0; k < s->n_location_id; k++)
			find_location(s->location_id[k]);
		for (size_t k = 0; k < s->n_label; k++) {
			str(s->label[k]->key);
			str(s->label[k]->str);
		}
	}
}

static const char *label(const Perftools__Profiles__Sample *s, const char *key)
{
	for (size_t k = 0; k < s->n_label; k++)
		if (strcmp(str(s->label[k]->key), key) == 0)
			return s->label[k]->str ? str(s->label[k]->str) : "(number)";
	return "[none]";
}

static void facts(void)
{
	int64_t totals[8] = { 0 };

	printf("# sample_types");
	for (size_t i = 0; i < prof->n_sample_type; i++)
		printf(" %s/%s", str(prof->sample_type[i]->type), str(prof->sample_type[i]->unit));
	printf("\n# period_type %s/%s\n", prof->period_type ? str(prof->period_type->type) : "",
	       prof->period_type ? str(prof->period_type->unit) : "");
	printf("# period %lld\n# default_sample_type %s\n", (long long)prof->period,
	       str(prof->default_sample_type));
	printf("# time_nanos %lld\n# duration_nanos %lld\n", (long long)prof->time_nanos,
	       (long long)prof->duration_nanos);
	for (size_t i = 0; i < prof->n_sample; i++)
		for (size_t k = 0; k < prof->sample[i]->n_value && k < 8; k++)
			totals[k] += prof->sample[i]->value[k];
	for (size_t k = 0; k < prof->n_sample_type && k < 8; k++)
		printf("# total %s %lld\n", str(prof->sample_type[k]->type), (long long)totals[k]);
	printf("# counts samples %zu locations %zu functions %zu mappings %zu strings %zu\n",
	       prof->n_sample, prof->n_location, prof->n_function, prof->n_mapping,
	       prof->n_string_table);
	for (size_t i = 0; i < prof->n_mapping; i++)
		printf("# mapping %s %s\n", str(prof->mapping[i]->filename),
		       prof->mapping[i]->build_id ? str(prof->mapping[i]->build_id) : "-");
	for (size_t i = 0; i < prof->n_function; i++)
		printf("# function %s %s\n", str(prof->function[i]->name),
		       prof->function[i]->filename ? str(prof->function[i]->filename) : "-");
	for (size_t i = 0; i < prof->n_location; i++)
		if (prof->location[i]->n_line > 1) {
			printf("# inline_location");
			for (size_t k = 0; k < prof->location[i]->n_line; k++)
				printf(" %s", str(find_function(prof->location[i]->line[k]->function_id)->name));
			printf("\n");
		}
	for (size_t i = 0; i < prof->n_comment; i++)
		printf("# comment %s\n", str(prof->comment[i]));
}

static void folded(int with_thread)
{
	for (size_t i = 0; i < prof->n_sample; i++) {
		const Perftools__Profiles__Sample *s = prof->sample[i];

		printf("%s", label(s, "process"));
		if (with_thread)
			printf(";%s", label(s, "thread"));
		for (size_t k = s->n_location_id; k-- > 0;) {
			const Perftools__Profiles__Location *l = find_location(s->location_id[k]);

			for (size_t j = l ? l->n_line : 0; j-- > 0;)
				printf(";%s%s", str(find_function(l->line[j]->function_id)->name),
				       j + 1 < l->n_line ? "_[i]" : "");
		}
		printf(" %lld\n", s->n_value ? (long long)s->value[0] : 0LL);
	}
}

int main(int argc, char **argv)
{
	int with_thread = argc > 2 && strcmp(argv[1], "-t") == 0;
	const char *path = argv[argc - 1];
	size_t len;
	unsigned char *buf;

	if (argc < 2) {
		fprintf(stderr, "usage: pprofdump [-t] FILE.pb.gz\n");
		return 2;
	}
	buf = read_gz(path, &len);
	if (!buf) {
		fprintf(stderr, "pprofdump: cannot read '%s' as gzip\n", path);
		return 1;
	}
	prof = perftools__profiles__profile__unpack(NULL, len, buf);
	free(buf);
	if (!prof) {
		fprintf(stderr, "pprofdump: '%s' is not a Profile message\n", path);
		return 1;
	}
	check();
	if (!failed) {
		facts();
		folded(with_thread);
	}
	perftools__profiles__profile__free_unpacked((Profile *)prof, NULL);
	return failed;
}
