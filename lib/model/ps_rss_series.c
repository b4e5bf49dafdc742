/*
 * Resident memory over time, as a bounded series (ps_rss_series.h).
 */
#include <stdlib.h>
#include <string.h>

#include "model/ps_rss_series.h"

void ps_rss_init(struct ps_rss_series *s, uint64_t every_ns)
{
	memset(s, 0, sizeof(*s));
	s->every_ns = every_ns;
}

void ps_rss_release(struct ps_rss_series *s)
{
	free(s->pts);
	memset(s, 0, sizeof(*s));
}

void ps_rss_add(struct ps_rss_series *s, const struct ps_rss_point *p)
{
	if (!s->pts) {
		s->pts = malloc(PS_RSS_MAX_POINTS * sizeof(*s->pts));
		if (!s->pts)
			return;
	}
	if (s->n == PS_RSS_MAX_POINTS) {
		for (size_t i = 0; i < PS_RSS_MAX_POINTS / 2; i++)
			s->pts[i] = s->pts[2 * i];
		s->n = PS_RSS_MAX_POINTS / 2;
		s->every_ns *= 2;
	}
	s->pts[s->n++] = *p;
	if (ps_rss_total(p) > ps_rss_total(&s->peak))
		s->peak = *p;
	s->next_ns = p->time_ns + s->every_ns;
}

void ps_rss_trend(const struct ps_rss_series *s, struct ps_trend *out)
{
	double *t = malloc((s->n + 1) * sizeof(*t)), *v = malloc((s->n + 1) * sizeof(*v));

	*out = (struct ps_trend){ 0 };
	if (t && v) {
		for (size_t i = 0; i < s->n; i++) {
			t[i] = (double)s->pts[i].time_ns / 1e9;
			v[i] = (double)ps_rss_total(&s->pts[i]);
		}
		ps_trend_fit(t, v, s->n, out);
	}
	free(t);
	free(v);
}
