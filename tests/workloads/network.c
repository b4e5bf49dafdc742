/*
 * network: a client and a server on loopback TCP, in one process.  The
 * client sends 1,000 messages of 1,000 bytes with write(); the server reads
 * all 1,000,000 bytes, then answers with 65,536 bytes that the client
 * reads.  The client waits 50 ms before it sends, so that the server
 * surely blocks on its socket (without it, both threads on their own CPUs
 * can stream the bytes without either ever waiting).  Both keep their
 * sockets open 300 ms more, then close.  Prints
 * "port=P sent=S received=R" (the server's port, the client's totals),
 * then what it timed (wl-truth): first_read, the wall seconds of the
 * server's first read() (its wait for the client's data, ~50 ms), and
 * socket_calls, the wall seconds of every accept(), read() and write() of
 * both threads but the server's last: a profiler's time blocked on the
 * network lies between the two.
 */
#include "wl_common.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MESSAGES 1000
#define MESSAGE_BYTES 1000
#define ANSWER_BYTES 65536

static int listener;
static char buf[ANSWER_BYTES];

enum { FIRST_READ, SOCKET_CALLS, PARTS };
static struct wl_part parts[PARTS] = { WL_PART("first_read"), WL_PART("socket_calls") };

/* A wall time into a part: no clock reads to take out (calls stays 0). */
static void add_wall(struct wl_part *p, double since)
{
	__atomic_fetch_add(&p->ns, (unsigned long)((wl_now() - since) * 1e9), __ATOMIC_RELAXED);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

WL_HOT void *serve(void *arg)
{
	long got = 0;
	double t = wl_now();
	int conn = accept(listener, NULL, NULL);

	(void)arg;
	add_wall(&parts[SOCKET_CALLS], t);
	while (got < (long)MESSAGES * MESSAGE_BYTES) {
		ssize_t n;

		t = wl_now();
		n = read(conn, buf, sizeof(buf));
		add_wall(&parts[SOCKET_CALLS], t);
		if (got == 0)
			add_wall(&parts[FIRST_READ], t);
		if (n <= 0)
			break;
		got += n;
	}
	if (write(conn, buf, ANSWER_BYTES) != ANSWER_BYTES)
		_exit(1);
	sleep_ms(300);
	close(conn);
	return NULL;
}

int main(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	long sent = 0, received = 0;
	pthread_t server;
	int fd;

	wl_truth_init();
	listener = socket(AF_INET, SOCK_STREAM, 0);
	if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(listener, 1) < 0 || getsockname(listener, (struct sockaddr *)&addr, &len) < 0)
		return 1;
	pthread_create(&server, NULL, serve, NULL);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return 1;
	sleep_ms(50);
	for (int i = 0; i < MESSAGES; i++) {
		double t = wl_now();
		ssize_t n = write(fd, buf, MESSAGE_BYTES);

		add_wall(&parts[SOCKET_CALLS], t);
		sent += n > 0 ? n : 0;
	}
	while (received < ANSWER_BYTES) {
		double t = wl_now();
		ssize_t n = read(fd, buf, sizeof(buf));

		add_wall(&parts[SOCKET_CALLS], t);
		if (n <= 0)
			break;
		received += n;
	}
	sleep_ms(300);
	close(fd);
	pthread_join(server, NULL);
	printf("port=%u sent=%ld received=%ld\n", ntohs(addr.sin_port), sent, received);
	wl_truth_print(parts, PARTS);
	return 0;
}
