/*
 * The page's frame, its text and its tables (ps_html.h, ps_html_page.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/ps_html_page.h"
#include "base/ps_error.h"
#include "base/ps_json.h"
#include "base/ps_utf8.h"

static void text_n(FILE *fp, const char *s, size_t len)
{
	for (size_t i = 0; s && i < len;) {
		size_t n = ps_utf8_seq((const unsigned char *)s + i, len - i);

		if (n > 1) {
			fwrite(s + i, 1, n, fp);
			i += n;
			continue;
		}
		if (!n) {
			fputs("\xef\xbf\xbd", fp);	/* not UTF-8: U+FFFD */
			i++;
			continue;
		}
		switch (s[i]) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		case '\t': case '\n': fputc(s[i], fp); break;
		default:
			/* other control characters are not text */
			fputc((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i], fp);
		}
		i++;
	}
}

void ps_html_text(FILE *fp, const char *s)
{
	if (s)
		text_n(fp, s, strlen(s));
}

const char *ps_html_basename(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	return slash ? slash + 1 : path ? path : "";
}

void ps_html_begin(FILE *fp, const char *title)
{
	/* nothing may be fetched: the page is the whole report */
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", fp);
	ps_html_text(fp, title);
	fprintf(fp, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", ps_html_css);
}

void ps_html_end(FILE *fp, const cJSON *report)
{
	fputs("<footer>Written by perfscope ", fp);
	ps_html_text(fp, ps_json_string(report, "perfscope_version"));
	fputs(" from the data of its JSON report; nothing on this page comes from elsewhere.</footer>\n", fp);
	fprintf(fp, "<script>\n%s</script>\n</body>\n</html>\n", ps_html_js);
}

void ps_html_section(FILE *fp, const char *id, const char *heading)
{
	fputs("<section id=\"", fp);
	ps_html_text(fp, id);
	fputs("\">\n<h2>", fp);
	ps_html_text(fp, heading);
	fputs("</h2>\n", fp);
}

void ps_html_section_end(FILE *fp)
{
	fputs("</section>\n", fp);
}

void ps_html_graphs(FILE *fp, const struct ps_html_graph *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char id[64];

		snprintf(id, sizeof(id), "graph-%s", g[i].id);
		ps_html_section(fp, id, g[i].heading);
		if (g[i].svg) {
			/* inline SVG: the XML declaration has no place in HTML */
			const char *svg = strstr(g[i].svg, "<svg");

			fputs("<div class=\"graph\">\n", fp);
			fputs(svg ? svg : "", fp);
			fputs("</div>\n", fp);
		} else {
			fputs("<p class=\"note\">", fp);
			ps_html_text(fp, g[i].note ? g[i].note : "Not drawn.");
			fputs("</p>\n", fp);
		}
		ps_html_section_end(fp);
	}
}

void ps_html_table_begin(FILE *fp, const char *id, const char *const *columns, size_t n)
{
	fputs("<div class=\"table\"><table class=\"sortable\" id=\"", fp);
	ps_html_text(fp, id);
	fputs("\">\n<thead><tr>", fp);
	for (size_t i = 0; i < n; i++) {
		bool num = columns[i][0] == '#';

		fprintf(fp, "<th data-type=\"%s\" title=\"sort\">", num ? "num" : "text");
		ps_html_text(fp, columns[i] + num);
		fputs("</th>", fp);
	}
	fputs("</tr></thead>\n<tbody>\n", fp);
}

void ps_html_table_end(FILE *fp, size_t rows, const char *empty)
{
	fputs("</tbody></table></div>\n", fp);
	if (!rows && empty) {
		fputs("<p class=\"note\">", fp);
		ps_html_text(fp, empty);
		fputs("</p>\n", fp);
	}
}

void ps_html_cell(FILE *fp, const char *text)
{
	fputs("<td>", fp);
	ps_html_text(fp, text);
	fputs("</td>", fp);
}

void ps_html_cell_title(FILE *fp, const char *text, const char *title)
{
	fputs("<td title=\"", fp);
	ps_html_text(fp, title);
	fputs("\">", fp);
	ps_html_text(fp, text);
	fputs("</td>", fp);
}

void ps_html_cell_num(FILE *fp, double v, const char *shown)
{
	/* %.17g: the number as the JSON has it, for the script and the tests */
	fprintf(fp, "<td class=\"num\" data-v=\"%.17g\">", v);
	ps_html_text(fp, shown);
	fputs("</td>", fp);
}

void ps_html_cell_bytes(FILE *fp, double v)
{
	char buf[48];

	ps_html_cell_num(fp, v, ps_html_bytes(v, buf, sizeof(buf)));
}

void ps_html_cell_count(FILE *fp, double v)
{
	char buf[48];

	ps_html_cell_num(fp, v, ps_html_number(v, buf, sizeof(buf)));
}

void ps_html_cell_duration(FILE *fp, double s)
{
	char buf[48];

	ps_html_cell_num(fp, s, ps_html_duration(s, buf, sizeof(buf)));
}

void ps_html_fact(FILE *fp, const char *label, const char *value)
{
	fputs("<div class=\"fact\"><span>", fp);
	ps_html_text(fp, label);
	fputs("</span> ", fp);
	ps_html_text(fp, value);
	fputs("</div>\n", fp);
}

const char *ps_html_bytes(double b, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB" };
	double a = b < 0 ? -b : b;
	size_t u = 0;

	while (a >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
		a /= 1000;
		b /= 1000;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", b, units[u]);
	return buf;
}

const char *ps_html_duration(double s, char *buf, size_t len)
{
	double a = s < 0 ? -s : s;

	if (a == 0)
		snprintf(buf, len, "0");
	else if (a < 1e-3)
		snprintf(buf, len, "%.1f \xc2\xb5s", s * 1e6);
	else if (a < 1)
		snprintf(buf, len, "%.1f ms", s * 1e3);
	else
		snprintf(buf, len, "%.2f s", s);
	return buf;
}

const char *ps_html_number(double v, char *buf, size_t len)
{
	if (!isfinite(v))
		snprintf(buf, len, "n/a");
	else if (fabs(v) < 1e15 && v == floor(v))
		snprintf(buf, len, "%lld", (long long)v);
	else
		snprintf(buf, len, "%.2f", v);
	return buf;
}

const char *ps_html_value(const char *unit, double v, char *buf, size_t len)
{
	if (strcmp(unit, "%") == 0) {
		snprintf(buf, len, "%.1f%%", v);
	} else if (strcmp(unit, "bytes") == 0) {
		ps_html_bytes(v, buf, len);
	} else if (strcmp(unit, "bytes/s") == 0) {
		size_t n;

		ps_html_bytes(v, buf, len);
		n = strlen(buf);
		snprintf(buf + n, len - n, "/s");
	} else {
		ps_html_number(v, buf, len);
	}
	return buf;
}

int ps_html_write(FILE *fp, const cJSON *report, const struct ps_html_graph *graphs, size_t n,
		  struct ps_error *err)
{
	const char *kind = ps_json_string(report, "kind");

	if (kind && strcmp(kind, "profile") == 0)
		ps_html_profile_page(fp, report, graphs, n);
	else if (kind && strcmp(kind, "memory-profile") == 0)
		ps_html_memory_page(fp, report, graphs, n);
	else
		return ps_error_set(err, PS_E_INPUT, "perfscope draws pages of profile and memory-profile "
				    "reports; this report is of kind '%s'", kind ? kind : "(none)");
	if (ferror(fp))
		return ps_error_set(err, PS_E_OUTPUT, "cannot write the page: %s", "write error");
	return 0;
}

/* What to draw into a page's graph: a fold set, or folded lines to gather. */
struct drawing {
	const struct ps_fold_set *set;
	ps_flamegraph_fold_fn fold;
	const void *ctx;
};

static int draw(char **svg, const struct drawing *d, const char *id, const struct ps_flamegraph_opts *o)
{
	struct ps_flamegraph_opts opts = *o;
	char prefix[64];
	size_t len = 0;
	FILE *mem;
	int rc;

	*svg = NULL;
	mem = open_memstream(svg, &len);
	if (!mem)
		return PS_E_NOMEM;
	snprintf(prefix, sizeof(prefix), "%s-", id);
	opts.id_prefix = prefix;
	if (d->set)
		rc = ps_flamegraph_svg(mem, d->set, &opts, NULL);
	else
		rc = ps_flamegraph_svg_of(mem, d->fold, d->ctx, &opts);
	if (fclose(mem) != 0 || rc < 0) {
		free(*svg);
		*svg = NULL;
		return PS_E_NOMEM;
	}
	return 0;
}

int ps_html_draw_graph(char **svg, const struct ps_fold_set *s, const char *id,
		       const struct ps_flamegraph_opts *o)
{
	return draw(svg, &(struct drawing){ .set = s }, id, o);
}

int ps_html_draw_folded(char **svg, ps_flamegraph_fold_fn fold, const void *ctx, const char *id,
			const struct ps_flamegraph_opts *o)
{
	return draw(svg, &(struct drawing){ .fold = fold, .ctx = ctx }, id, o);
}
