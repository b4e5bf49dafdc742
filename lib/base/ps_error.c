#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/ps_error.h"

void ps_error_clear(struct ps_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
	err->hint[0] = '\0';
}

int ps_error_set(struct ps_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->hint[0] = '\0';
	return code;
}

void ps_error_hint(struct ps_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
}

void ps_error_prefix(struct ps_error *err, const char *fmt, ...)
{
	char prefix[sizeof(err->msg)], msg[sizeof(err->msg)];
	size_t n, m;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(msg, err->msg, sizeof(msg));
	n = strlen(prefix);
	m = strnlen(msg, sizeof(msg) - 1 - n);
	memcpy(err->msg, prefix, n);
	memcpy(err->msg + n, msg, m);
	err->msg[n + m] = '\0';
}
