/*
 * Valid UTF-8 (ps_utf8.h).
 */
#include <stdlib.h>
#include <string.h>

#include "base/ps_utf8.h"

static const char replacement[] = "\xef\xbf\xbd";

size_t ps_utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char c;
	size_t n;
	unsigned min;

	if (len == 0)
		return 0;
	c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000;
	else
		return 0;	/* a continuation byte, 0xc0, 0xc1 or past 0xf4 */
	if (len < n)
		return 0;
	{
		unsigned cp = c & (0x7f >> n);

		for (size_t i = 1; i < n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		/* overlong, a surrogate, or past the last code point */
		if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
	}
	return n;
}

bool ps_utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		size_t n = ps_utf8_seq(u + i, len - i);

		if (!n)
			return false;
		i += n;
	}
	return true;
}

char *ps_utf8_fix(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	char *out = malloc(len * 3 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		size_t n = ps_utf8_seq(u + i, len - i);

		if (n) {
			memcpy(o, s + i, n);
			o += n;
			i += n;
		} else {
			memcpy(o, replacement, 3);
			o += 3;
			i++;
		}
	}
	*o = '\0';
	return out;
}

void ps_utf8_put(FILE *fp, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t run = 0;   /* valid bytes waiting to be written in one go */

	for (size_t i = 0; i < len;) {
		/* ASCII, nearly every byte of a name, without a call */
		size_t n = u[i] < 0x80 ? 1 : ps_utf8_seq(u + i, len - i);

		if (n) {
			run += n;
			i += n;
			continue;
		}
		fwrite(s + i - run, 1, run, fp);
		fputs(replacement, fp);
		run = 0;
		i++;
	}
	fwrite(s + len - run, 1, run, fp);
}
