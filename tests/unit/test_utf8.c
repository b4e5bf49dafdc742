/* ps_utf8: which byte sequences are UTF-8, and what invalid ones become. */
#include <stdlib.h>
#include <string.h>

#include "base/ps_utf8.h"
#include "unit.h"

#define FFFD "\xef\xbf\xbd"

static int fixed_is(const char *in, size_t len, const char *want)
{
	char *got = ps_utf8_fix(in, len);
	int ok = got && strcmp(got, want) == 0;

	free(got);
	return ok;
}

int main(void)
{
	CHECK(ps_utf8_valid("plain ascii", 11), "ASCII is UTF-8");
	CHECK(ps_utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5", 14), "2, 3 and 4 byte sequences");
	CHECK(!ps_utf8_valid("\xff", 1), "0xff is never UTF-8");
	CHECK(!ps_utf8_valid("\x80", 1), "a lone continuation byte");
	CHECK(!ps_utf8_valid("\xc3", 1), "a sequence cut short");
	CHECK(!ps_utf8_valid("\xc0\xaf", 2), "an overlong '/'");
	CHECK(!ps_utf8_valid("\xe0\x80\xaf", 3), "an overlong 3-byte form");
	CHECK(!ps_utf8_valid("\xed\xa0\x80", 3), "a surrogate (U+D800)");
	CHECK(!ps_utf8_valid("\xf4\x90\x80\x80", 4), "past U+10FFFF");
	CHECK(ps_utf8_valid("\xf4\x8f\xbf\xbf", 4), "U+10FFFF itself");
	CHECK(fixed_is("a\xff" "b", 3, "a" FFFD "b"), "each invalid byte becomes U+FFFD");
	CHECK(fixed_is("\xc3", 1, FFFD), "a cut sequence at the end");
	CHECK(fixed_is("\xed\xa0\x80", 3, FFFD FFFD FFFD), "a surrogate: three replacements");
	CHECK(fixed_is("caf\xc3\xa9", 5, "caf\xc3\xa9"), "valid text is unchanged");
	CHECK(ps_utf8_seq((const unsigned char *)"\xe2\x82\xac", 3) == 3, "the euro sign is one 3-byte sequence");
	CHECK(ps_utf8_seq((const unsigned char *)"\xe2\x82\xac", 2) == 0, "not within 2 bytes");
	return unit_done();
}
