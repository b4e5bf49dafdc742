/*
 * ps_html_page: the building blocks of perfscope's HTML pages (ps_html.h),
 * shared by the profile's page (ps_html_profile.c) and the memory
 * profile's (ps_html_memory.c).  Internal to lib/.
 *
 * Every string that comes from a report goes through ps_html_text() (or
 * a function that calls it); the literal markup here is the only markup.
 * Writes are not checked one by one: the caller checks ferror() once.
 */
#ifndef PS_HTML_PAGE_H
#define PS_HTML_PAGE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "render/ps_html.h"

/* s escaped for HTML text and double-quoted attribute values; NULL: nothing. */
void ps_html_text(FILE *fp, const char *s);

/* What follows the last '/' of path ("" for NULL). */
const char *ps_html_basename(const char *path);

/* <!DOCTYPE html> to <body>, the style inline; </body> with the script. */
void ps_html_begin(FILE *fp, const char *title);
void ps_html_end(FILE *fp, const cJSON *report);

/* <section id="ID"><h2>HEADING</h2> ... </section> */
void ps_html_section(FILE *fp, const char *id, const char *heading);
void ps_html_section_end(FILE *fp);

/* The flame graphs, each in a section of its own. */
void ps_html_graphs(FILE *fp, const struct ps_html_graph *g, size_t n);

/*
 * A table that sorts by a click on a column's header.  columns[i]: its
 * header; one starting with '#' is numeric (the '#' is not shown), and
 * its cells carry their number in data-v.
 */
void ps_html_table_begin(FILE *fp, const char *id, const char *const *columns, size_t n);
void ps_html_table_end(FILE *fp, size_t rows, const char *empty);
void ps_html_cell(FILE *fp, const char *text);
void ps_html_cell_title(FILE *fp, const char *text, const char *title);
/* A numeric cell: v as data-v (exactly), shown as `shown`. */
void ps_html_cell_num(FILE *fp, double v, const char *shown);
/* ...shown as bytes, as a count, as seconds. */
void ps_html_cell_bytes(FILE *fp, double v);
void ps_html_cell_count(FILE *fp, double v);
void ps_html_cell_duration(FILE *fp, double s);

/* Values as the page shows them: "12.3 MB", "1.50 s", "12.0 %"... */
const char *ps_html_bytes(double b, char *buf, size_t len);
const char *ps_html_duration(double s, char *buf, size_t len);
const char *ps_html_number(double v, char *buf, size_t len);
/* v in unit ("%", "bytes", "bytes/s", or "" for counts). */
const char *ps_html_value(const char *unit, double v, char *buf, size_t len);

/* One line of a chart: its name and n values. */
struct ps_html_series {
	const char *name;
	const double *v;
};

/*
 * A line chart of series over times t[0..n), as inline SVG: one point per
 * time in each line's points, the values in data-values for the page's
 * script to read out under the pointer.
 */
void ps_html_chart(FILE *fp, const char *id, const char *title, const char *unit, const double *t,
		   size_t n, const struct ps_html_series *series, size_t nseries);

/* A short fact: <div class="fact"><span>LABEL</span> VALUE</div>. */
void ps_html_fact(FILE *fp, const char *label, const char *value);

/* The page of a profile's report.json / of a memory.json. */
void ps_html_profile_page(FILE *fp, const cJSON *report, const struct ps_html_graph *g, size_t n);
void ps_html_memory_page(FILE *fp, const cJSON *report, const struct ps_html_graph *g, size_t n);

#endif
