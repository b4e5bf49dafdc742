/* ps_proctext: /proc formats parsed from text, real and awkward. */
#include <string.h>

#include "target/ps_proctext.h"
#include "unit.h"

int main(void)
{
	/* a command name with spaces and a ')' of its own */
	const char *stat = "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 111 222 3 4 50 60 7 8 20 0 "
			   "5 0 12345 1000000 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 "
			   "0 99 0 0";
	const char *status = "Name:\tx\nVmRSS:\t  2048 kB\nRssAnon:\t    1024 kB\nRssFile:\t 12 kB\n";
	uint64_t v = 0, cpu[8], run, wait, slices;

	CHECK(ps_proctext_stat_field(stat, 10, &v) && v == 111, "minflt, after a name with ') '");
	CHECK(ps_proctext_stat_field(stat, 14, &v) && v == 50, "utime");
	CHECK(ps_proctext_stat_field(stat, 20, &v) && v == 5, "num_threads");
	CHECK(ps_proctext_stat_field(stat, 24, &v) && v == 300, "rss");
	CHECK(ps_proctext_stat_field(stat, 42, &v) && v == 99, "delayacct_blkio_ticks");
	CHECK(!ps_proctext_stat_field(stat, 3, &v), "the state is not a number");
	CHECK(!ps_proctext_stat_field(stat, 60, &v), "past the last field");
	CHECK(!ps_proctext_stat_field("4242 no parenthesis 1 2 3", 4, &v), "no command name");
	CHECK(!ps_proctext_stat_field("1 (x)", 10, &v), "cut short");
	CHECK(ps_proctext_value(status, "\nRssAnon:") == 1024, "RssAnon");
	CHECK(ps_proctext_value(status, "\nRssShmem:") == 0, "an absent line is 0");
	CHECK(ps_proctext_cpu("cpu  10 20 30 40 50 60 70 80 0 0\ncpu0 1 2 3 4 5 6 7 8\n", cpu) &&
	      cpu[0] == 10 && cpu[7] == 80, "the machine's cpu line");
	CHECK(!ps_proctext_cpu("cpu 1 2 3\n", cpu), "a short cpu line");
	CHECK(ps_proctext_schedstat("123456 789 10\n", &run, &wait, &slices) && run == 123456 &&
	      wait == 789 && slices == 10, "schedstat");
	CHECK(!ps_proctext_schedstat("", &run, &wait, &slices), "empty schedstat");
	return unit_done();
}
