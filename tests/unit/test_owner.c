/* ps_owner: which SUDO_UID and SUDO_GID are believed. */
#include "base/ps_owner.h"
#include "unit.h"

int main(void)
{
	struct ps_owner o = ps_owner_parse("1000", "1001", 0);

	CHECK(o.set && o.uid == 1000 && o.gid == 1001, "root under sudo: the invoking user's ids");
	CHECK(ps_owner_parse("65534", "0", 0).set, "group 0 is a group like another");
	CHECK(!ps_owner_parse("1000", "1001", 1000).set, "not root: nothing to give away");
	CHECK(!ps_owner_parse("0", "0", 0).set, "SUDO_UID 0: root's own files stay root's");
	CHECK(!ps_owner_parse("abc", "1001", 0).set, "SUDO_UID not a number: ignored");
	CHECK(!ps_owner_parse("12x", "1001", 0).set, "SUDO_UID with trailing junk: ignored");
	CHECK(!ps_owner_parse("-5", "1001", 0).set, "a negative SUDO_UID: ignored");
	CHECK(!ps_owner_parse(" 1000", "1001", 0).set, "leading blanks: ignored");
	CHECK(!ps_owner_parse("", "1001", 0).set, "empty SUDO_UID: ignored");
	CHECK(!ps_owner_parse("1000", NULL, 0).set, "SUDO_UID without SUDO_GID: ignored");
	CHECK(!ps_owner_parse(NULL, "1001", 0).set, "no SUDO_UID: ignored");
	CHECK(!ps_owner_parse("4294967295", "1001", 0).set, "(uid_t)-1, chown's 'unchanged': ignored");
	CHECK(!ps_owner_parse("99999999999999999999", "1001", 0).set, "an overflowing SUDO_UID: ignored");
	return unit_done();
}
