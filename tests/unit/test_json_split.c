/*
 * ps_json_parse_split: a document read with some arrays left out of the
 * tree is the whole document with those arrays emptied, their elements
 * handed out one by one; what cJSON rejects, it rejects, naming the line.
 */
#include <stdlib.h>
#include <string.h>

#include "base/ps_json.h"
#include "unit.h"

static const char *const top[] = { "stacks", NULL }, *const in_cpu[] = { "cpu", "stacks", NULL };
static const ps_json_path paths[] = { top, in_cpu, NULL };

/* Each element printed, "path:element" one after another, ';'-separated. */
struct seen {
	char buf[1024];
	int stop_at;        /* fail at this element (1-based), 0: never */
	int n;
};

static int each(const cJSON *item, size_t path, void *ctx, struct ps_error *err)
{
	struct seen *s = ctx;
	char *text = cJSON_PrintUnformatted(item);
	size_t len = strlen(s->buf);

	snprintf(s->buf + len, sizeof(s->buf) - len, "%zu:%s;", path, text ? text : "?");
	free(text);
	if (++s->n == s->stop_at)
		return ps_error_set(err, PS_E_INPUT, "stopped at %d", s->n);
	return 0;
}

/* text split, against want (the whole document with the arrays emptied) and the elements seen. */
static int same(const char *text, const char *want, const char *elements)
{
	struct ps_error err = { 0 };
	struct seen s = { 0 };
	cJSON *got = ps_json_parse_split(text, paths, each, &s, "t.json", &err);
	cJSON *expect = cJSON_Parse(want);
	/* compared as printed: cJSON_Compare looks members up by name, so cannot tell duplicates apart */
	char *g = got ? cJSON_PrintUnformatted(got) : NULL, *e = expect ? cJSON_PrintUnformatted(expect) : NULL;
	int ok = g && e && strcmp(g, e) == 0 && strcmp(s.buf, elements) == 0;

	if (!ok)
		printf("# got %s, elements %s (%s)\n", g ? g : "NULL", s.buf, err.msg);
	free(g);
	free(e);
	cJSON_Delete(got);
	cJSON_Delete(expect);
	return ok;
}

/*
 * text rejected, with a message that has `says` in it; and by
 * ps_json_parse, on the same line (cJSON's own column is at times one
 * further, or calls a malformed end a cut-off one).
 */
static int rejected(const char *text, const char *says)
{
	struct ps_error err = { 0 }, whole = { 0 };
	struct seen s = { 0 };
	cJSON *got = ps_json_parse_split(text, paths, each, &s, "t.json", &err);
	const char *column = strstr(err.msg, ", column");
	int ok = !got && err.code == PS_E_INPUT && strstr(err.msg, says) && column &&
		 !ps_json_parse(text, "t.json", &whole) && strncmp(err.msg, whole.msg, (size_t)(column - err.msg)) == 0;

	if (!ok)
		printf("# message: %s; ps_json_parse's: %s\n", err.msg, whole.msg);
	cJSON_Delete(got);
	return ok;
}

int main(void)
{
	struct ps_error err = { 0 };
	struct seen s = { .stop_at = 2 };

	CHECK(same("{\"kind\": \"profile\", \"cpu\": {\"a\": 1, \"stacks\": [{\"f\": [\"x\", \"y\"]}, 2, [3]], "
		   "\"b\": [4]}, \"z\": null}",
		   "{\"kind\": \"profile\", \"cpu\": {\"a\": 1, \"stacks\": [], \"b\": [4]}, \"z\": null}",
		   "1:{\"f\":[\"x\",\"y\"]};1:2;1:[3];"),
	      "cpu.stacks: each element handed out, an empty array left, the rest as cJSON parses it");
	CHECK(same("{\"stacks\":[1,2],\"cpu\":{\"stacks\":[3]}}", "{\"stacks\":[],\"cpu\":{\"stacks\":[]}}",
		   "0:1;0:2;1:3;"),
	      "two paths, each element with its path's index");
	CHECK(same(" \n\t{ \"stacks\" :\n [ ] , \"cpu\" : { } }\r\n ", "{\"stacks\": [], \"cpu\": {}}", ""),
	      "white space anywhere, empty arrays and objects");
	CHECK(same("{\"x\": {\"stacks\": [1]}, \"cpu\": [{\"stacks\": [2]}]}",
		   "{\"x\": {\"stacks\": [1]}, \"cpu\": [{\"stacks\": [2]}]}", ""),
	      "arrays elsewhere of the same name stay in the tree");
	CHECK(same("{\"stacks\": {\"a\": 1}, \"cpu\": 5}", "{\"stacks\": {\"a\": 1}, \"cpu\": 5}", ""),
	      "a path to something else than an array, or through something else than an object, parsed whole");
	CHECK(same("{\"cpu\": 1, \"cpu\": {\"stacks\": [1]}, \"stacks\": [2], \"stacks\": [3]}",
		   "{\"cpu\": 1, \"cpu\": {\"stacks\": [1]}, \"stacks\": [], \"stacks\": [3]}", "0:2;"),
	      "only a name's first member is followed, the one cJSON's lookups find");
	CHECK(same("{\"s\\u0074acks\": [1], \"a\\\"b\": \"\\u00e9\\n\"}", "{\"stacks\": [], \"a\\\"b\": \"\\u00e9\\n\"}",
		   "0:1;"),
	      "names are compared unescaped");
	CHECK(same("[1, 2]", "[1, 2]", ""), "a document that is not an object is parsed whole");

	CHECK(rejected("{\"cpu\": {\"stacks\": [1, 2", "line 1, column 25: the JSON ends too early"),
	      "a document cut off in a split array");
	CHECK(rejected("{\"cpu\": {\"stacks\": [1,\n  {\"a\" 2}]}}", "line 2, column 8: malformed JSON"),
	      "a malformed element, named by its line and column");
	CHECK(rejected("{\"stacks\": [1 2]}", "line 1, column 15: malformed JSON"), "elements without a comma");
	CHECK(rejected("{\"stacks\": [1,]}", "malformed JSON"), "a trailing comma in a split array");
	CHECK(rejected("{\"a\" 1}", "line 1, column 6: malformed JSON"), "a member without its colon");
	CHECK(rejected("{a: 1}", "line 1, column 2: malformed JSON"), "a name that is not a string");
	CHECK(rejected("{\"a\": 1,}", "malformed JSON"), "a trailing comma in an object");
	CHECK(rejected("{\"a\": 1} x", "line 1, column 10: malformed JSON"), "text after the document");
	CHECK(rejected("{\"a\": 1", "the JSON ends too early"), "an object cut off");
	CHECK(rejected("{\"stacks\": [\xef\xbb\xbf" "1]}", "malformed JSON"),
	      "a byte-order mark inside the document (cJSON skips one at the start of each text)");
	CHECK(!ps_json_parse_split("{\"stacks\": [1, 2, 3]}", paths, each, &s, "t.json", &err) &&
		      strcmp(err.msg, "stopped at 2") == 0 && s.n == 2,
	      "each()'s error stops the reading, and is the one returned");
	return unit_done();
}
