/*
 * syscallwork [--loops N] [--mode syscalls|pingpong]: a fixed amount of
 * system-call work, timed from inside (elapsed=S calls=N).
 *   syscalls  N rounds of getppid(), a 1-byte read from /dev/zero and a
 *             1-byte write to /dev/null: 3N trivial system calls;
 *   pingpong  two threads pass a byte back and forth N times over two
 *             pipes: each pass is a wake-up and a context switch (calls=2N
 *             switches).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long loops = 200000;
static int ping[2], pong[2];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *ponger(void *arg)
{
	char c;

	(void)arg;
	for (long i = 0; i < loops; i++)
		if (read(ping[0], &c, 1) != 1 || write(pong[1], &c, 1) != 1)
			break;
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = "syscalls";
	double start, end;
	long calls;
	char c = 'x';

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--loops"))
			loops = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--mode"))
			mode = argv[i + 1];
	}
	if (!strcmp(mode, "pingpong")) {
		pthread_t t;

		if (pipe(ping) || pipe(pong))
			return 1;
		pthread_create(&t, NULL, ponger, NULL);
		start = now();
		for (long i = 0; i < loops; i++)
			if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
				return 1;
		end = now();
		pthread_join(t, NULL);
		calls = 2 * loops;
	} else {
		int zero = open("/dev/zero", O_RDONLY), null = open("/dev/null", O_WRONLY);

		if (zero < 0 || null < 0)
			return 1;
		start = now();
		for (long i = 0; i < loops; i++) {
			if (getppid() < 0 || read(zero, &c, 1) != 1 || write(null, &c, 1) != 1)
				return 1;
		}
		end = now();
		calls = 3 * loops;
	}
	printf("elapsed=%.6f calls=%ld\n", end - start, calls);
	return 0;
}
