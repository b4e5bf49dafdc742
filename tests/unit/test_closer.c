/* ps_closer: the caller's copies close at once, the last ones in the detached process. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "target/ps_closer.h"
#include "unit.h"

/* Whether the pipe's read end sees end of file within two seconds. */
static int eof_within_2s(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char byte;

	return poll(&p, 1, 2000) == 1 && read(fd, &byte, 1) == 0;
}

int main(void)
{
	int handed[2], other[2];

	if (pipe(handed) < 0 || pipe(other) < 0)
		return 1;
	ps_close_detached(&handed[1], 1);
	CHECK(fcntl(handed[1], F_GETFD) < 0 && errno == EBADF, "the caller's copy is closed on return");
	CHECK(eof_within_2s(handed[0]), "the detached process closed the last copy");
	close(other[1]);
	CHECK(eof_within_2s(other[0]), "it kept no copy of a descriptor it was not given");
	close(handed[0]);
	close(other[0]);
	return unit_done();
}
