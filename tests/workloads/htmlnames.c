/*
 * htmlnames: names that are markup, for the HTML report's escaping.  The
 * main thread renames itself "<b>x</b>" (prctl PR_SET_NAME), writes one
 * byte to FILE (whose name the test makes "<script>...</script>"), then
 * burns CPU for S seconds in burn_named().
 *
 * Usage: htmlnames FILE [--seconds S] [--not-utf8]   (default 0.3)
 * --not-utf8: the name is bytes that are not UTF-8 instead ("\xff\xfeb\xc3
 * d\x80"), and so is FILE's name, with the name given appended (that file
 * is kept open until the end).
 */
#include "wl_common.h"
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

static double seconds = 0.3;

WL_HOT void burn_named(void)
{
	double end = wl_now() + seconds;

	while (wl_now() < end)
		WL_BURN_ITERS(1000);
	WL_KEEP_FRAME();
}

int main(int argc, char **argv)
{
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: htmlnames FILE [--seconds S]\n");
		return 2;
	}
	if (argc > 3 && strcmp(argv[2], "--seconds") == 0)
		seconds = atof(argv[3]);
	const char *file = argv[1];
	char bad_file[4096];
	if (strcmp(argv[argc - 1], "--not-utf8") == 0) {
		prctl(PR_SET_NAME, "\xff\xfe" "b\xc3 d\x80", 0, 0, 0);
		snprintf(bad_file, sizeof(bad_file), "%s\xff\xc3", argv[1]);
		file = bad_file;
	} else {
		prctl(PR_SET_NAME, "<b>x</b>", 0, 0, 0);
	}
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "x", 1) != 1)
		return 1;
	/* the name that is not UTF-8 is read from /proc while it is open */
	if (file == argv[1])
		close(fd);
	burn_named();
	return 0;
}
