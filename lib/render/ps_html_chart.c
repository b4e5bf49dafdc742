/*
 * Line charts for the pages (ps_html_page.h): inline SVG, drawn here so
 * that the page shows them without its script; the script only reads the
 * values out under the pointer (share/report.js).
 */
#include <math.h>
#include <string.h>

#include "render/ps_html_page.h"

#define CHART_W 560
#define CHART_H 200
#define LEFT 64
#define RIGHT 14
#define TOP 28
#define BOTTOM 26
#define SERIES_COLOURS 3

/* The smallest 1, 2 or 5 times a power of ten at or above v (1 for 0). */
static double nice_ceiling(double v)
{
	double p;

	if (!(v > 0) || !isfinite(v))
		return 1;
	p = pow(10, floor(log10(v)));
	if (v <= p)
		return p;
	if (v <= 2 * p)
		return 2 * p;
	if (v <= 5 * p)
		return 5 * p;
	return 10 * p;
}

static void axes(FILE *fp, const char *unit, double ymax, double t0, double t1)
{
	double pw = CHART_W - LEFT - RIGHT, ph = CHART_H - TOP - BOTTOM;
	char buf[48];

	fprintf(fp, "<rect class=\"plot\" x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\"/>\n", LEFT, TOP,
		pw, ph);
	for (int k = 0; k <= 2; k++) {
		double y = TOP + ph - ph * k / 2.0;

		fprintf(fp, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>"
			"<text class=\"axis\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", LEFT, y, LEFT + pw, y,
			LEFT - 6, y + 4);
		ps_html_text(fp, ps_html_value(unit, ymax * k / 2.0, buf, sizeof(buf)));
		fputs("</text>\n", fp);
	}
	fprintf(fp, "<text class=\"axis\" x=\"%d\" y=\"%d\">", LEFT, CHART_H - 8);
	ps_html_text(fp, ps_html_duration(t0, buf, sizeof(buf)));
	fprintf(fp, "</text><text class=\"axis\" x=\"%.0f\" y=\"%d\" text-anchor=\"end\">", LEFT + pw,
		CHART_H - 8);
	ps_html_text(fp, ps_html_duration(t1, buf, sizeof(buf)));
	fputs("</text>\n", fp);
}

static void line(FILE *fp, const struct ps_html_series *s, int colour, const double *t, size_t n,
		 double ymax)
{
	double pw = CHART_W - LEFT - RIGHT, ph = CHART_H - TOP - BOTTOM;
	double span = n > 1 && t[n - 1] > t[0] ? t[n - 1] - t[0] : 0;

	fprintf(fp, "<polyline class=\"line c%d\" data-name=\"", colour);
	ps_html_text(fp, s->name);
	fputs("\" data-values=\"", fp);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%s%.6g", i ? "," : "", s->v[i]);
	fputs("\" points=\"", fp);
	for (size_t i = 0; i < n; i++) {
		double x = LEFT + (span > 0 ? pw * (t[i] - t[0]) / span : pw / 2);
		double v = isfinite(s->v[i]) ? s->v[i] : 0, y = TOP + ph - ph * (v > 0 ? v : 0) / ymax;

		fprintf(fp, "%s%.1f,%.1f", i ? " " : "", x, y);
	}
	fputs("\"/>\n", fp);
}

void ps_html_chart(FILE *fp, const char *id, const char *title, const char *unit, const double *t,
		   size_t n, const struct ps_html_series *series, size_t nseries)
{
	double max = 0, ymax;
	double legend_x = LEFT;

	for (size_t k = 0; k < nseries; k++)
		for (size_t i = 0; i < n; i++)
			if (isfinite(series[k].v[i]) && series[k].v[i] > max)
				max = series[k].v[i];
	ymax = nice_ceiling(max);
	fputs("<figure class=\"chart\"><figcaption>", fp);
	ps_html_text(fp, title);
	fprintf(fp, "</figcaption>\n<svg class=\"chart\" id=\"chart-%s\" xmlns=\"http://www.w3.org/2000/svg\" "
		"viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" data-unit=\"", id, CHART_W, CHART_H,
		CHART_W, CHART_H);
	ps_html_text(fp, unit);
	fputs("\" data-times=\"", fp);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%s%.6g", i ? "," : "", t[i]);
	fputs("\">\n", fp);
	axes(fp, unit, ymax, n ? t[0] : 0, n ? t[n - 1] : 0);
	for (size_t k = 0; k < nseries; k++) {
		line(fp, &series[k], (int)(k % SERIES_COLOURS), t, n, ymax);
		fprintf(fp, "<rect class=\"key c%zu\" x=\"%.0f\" y=\"8\" width=\"10\" height=\"10\"/>"
			"<text class=\"legend\" x=\"%.0f\" y=\"17\">", k % SERIES_COLOURS, legend_x,
			legend_x + 14);
		ps_html_text(fp, series[k].name);
		fputs("</text>\n", fp);
		legend_x += 24 + 7.0 * (double)strlen(series[k].name);
	}
	fprintf(fp, "<line class=\"cursor\" x1=\"0\" y1=\"%d\" x2=\"0\" y2=\"%d\"/>"
		"<text class=\"readout\" x=\"%d\" y=\"17\" text-anchor=\"end\"> </text>\n</svg>\n",
		TOP, CHART_H - BOTTOM, CHART_W - RIGHT);
	if (!n)
		fputs("<p class=\"note\">No readings.</p>\n", fp);
	fputs("</figure>\n", fp);
}
