/* ps_proctext_net_peer: socket peers from /proc/PID/net tables, worked out by hand. */
#include <string.h>

#include "target/ps_proctext.h"
#include "unit.h"

static const char tcp[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	"   0: 0100007F:0CEA 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000     0        0 12345 1\n"
	"   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1\n";
static const char tcp6[] =
	"   0: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:C350 01 "
	"00000000:00000000 00:00000000 00000000     0        0 4242 1\n";

int main(void)
{
	char peer[80] = "";

	CHECK(ps_proctext_net_peer(tcp, false, 12345, peer, sizeof(peer)) && strcmp(peer, "127.0.0.1:41394") == 0,
	      "IPv4: 0100007F:A1B2 is 127.0.0.1:41394 (got %s)", peer);
	CHECK(ps_proctext_net_peer(tcp, false, 777, peer, sizeof(peer)) && strcmp(peer, "0.0.0.0:0") == 0,
	      "a listening socket has no peer: 0.0.0.0:0");
	CHECK(!ps_proctext_net_peer(tcp, false, 999, peer, sizeof(peer)), "an inode not in the table");
	CHECK(ps_proctext_net_peer(tcp6, true, 4242, peer, sizeof(peer)) && strcmp(peer, "[::1]:50000") == 0,
	      "IPv6: ::1 port 0xC350 (got %s)", peer);
	CHECK(ps_proctext_net_peer("x y z\n", false, 0, peer, sizeof(peer)) == false, "garbage is no socket");
	return unit_done();
}
