/*
 * netwait: a program that waits on its network peer.  The main thread
 * sends N requests (default 150) of 100 bytes over loopback TCP to a
 * server thread and waits for each answer, which the server sends D ms
 * (default 2) later: the client spends its time blocked on the socket,
 * the server asleep.  Ground truth for the network_latency diagnosis.
 *
 * Usage: netwait [--requests N] [--delay-ms D]
 */
#include "wl_common.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQUEST_BYTES 100

static int listener, requests;
static double delay_ms;

static void *serve(void *arg)
{
	char buf[REQUEST_BYTES];
	struct timespec ts = { 0, (long)(delay_ms * 1e6) };
	int conn = accept(listener, NULL, NULL);

	(void)arg;
	for (int i = 0; i < requests; i++) {
		if (read(conn, buf, sizeof(buf)) <= 0)
			break;
		nanosleep(&ts, NULL);
		if (write(conn, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			break;
	}
	close(conn);
	return NULL;
}

WL_HOT static int ask(int fd, char *buf)
{
	WL_KEEP_FRAME();
	return write(fd, buf, REQUEST_BYTES) == REQUEST_BYTES && read(fd, buf, REQUEST_BYTES) > 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	char buf[REQUEST_BYTES] = { 0 };
	pthread_t server;
	int fd;

	requests = (int)wl_opt_double(argc, argv, "--requests", 150);
	delay_ms = wl_opt_double(argc, argv, "--delay-ms", 2);
	listener = socket(AF_INET, SOCK_STREAM, 0);
	if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(listener, 1) < 0 || getsockname(listener, (struct sockaddr *)&addr, &len) < 0)
		return 1;
	pthread_create(&server, NULL, serve, NULL);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return 1;
	for (int i = 0; i < requests; i++)
		if (!ask(fd, buf))
			return 1;
	close(fd);
	pthread_join(server, NULL);
	return 0;
}
