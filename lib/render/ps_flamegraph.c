/*
 * A folded stack set as an interactive SVG flame graph (ps_flamegraph.h).
 *
 * The stacks are put in frame-by-frame order, so that every frame's
 * callees are contiguous; one pass then keeps the path of open frames,
 * closing a frame (and recording its box) when a stack leaves it.  Nothing
 * is built but the boxes wide enough to draw.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render/ps_flamegraph.h"
#include "model/ps_offcpu_reason.h"
#include "base/ps_error.h"
#include "base/ps_utf8.h"
#include "base/ps_util.h"

#define FRAME_HEIGHT 16
#define FONT_SIZE 12
#define CHAR_WIDTH 7.2          /* of FONT_SIZE monospace, for cutting labels */
#define PAD 10
#define TOP 34                  /* title and buttons */
#define BOTTOM 26               /* details line */

struct box {
	const char *name;
	size_t len;
	unsigned depth;             /* 0: "all" */
	uint64_t start, value;
	uint64_t base;              /* differential: the old count */
};

/* A stack to draw: its count, and in a differential graph its old count. */
struct row {
	const char *stack;
	uint64_t count, base;
};

/* What the boxes are drawn from and how. */
struct drawing {
	const struct ps_flamegraph_opts *o;
	uint64_t total, base_total;
	bool differential;
	double max_delta;           /* the largest |change of share| of a box */
};

struct boxes {
	struct box *items;
	size_t n, cap;
	size_t merged;
	unsigned max_depth;
	double min_count;           /* boxes of fewer counts were left to their callers */
};

/* Frame-wise order: ';' sorts before every other character. */
static int cmp_stacks(const void *a, const void *b)
{
	const unsigned char *x = (const unsigned char *)((const struct row *)a)->stack;
	const unsigned char *y = (const unsigned char *)((const struct row *)b)->stack;

	unsigned cx, cy;

	/* the common prefix first: stacks of one program share long ones */
	while (*x && *x == *y)
		x++, y++;
	cx = *x == ';' ? 1 : *x ? *x + 1u : 0;
	cy = *y == ';' ? 1 : *y ? *y + 1u : 0;
	return (int)cx - (int)cy;
}

static int close_box(struct boxes *b, const struct box *open, double min_count)
{
	if ((double)open->value < min_count) {
		b->merged++;
		return 0;
	}
	if (ps_grow(&b->items, &b->cap, b->n + 1, sizeof(*b->items)) < 0)
		return PS_E_NOMEM;
	b->items[b->n++] = *open;
	if (open->depth > b->max_depth)
		b->max_depth = open->depth;
	return 0;
}

/* The boxes of the stacks rows[0..n), in frame order; "all" (depth 0) included. */
static int layout(struct boxes *b, const struct row *rows, size_t n, uint64_t total,
		  uint64_t base_total, double min_count)
{
	struct box *path = NULL;
	size_t npath = 0, cap = 0;
	uint64_t x = 0;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		const char *frame = rows[i].stack;
		size_t depth = 0;

		/* the frames it shares with the open path stay open */
		while (*frame) {
			size_t len = strcspn(frame, ";");

			if (depth < npath && path[depth].len == len && memcmp(path[depth].name, frame, len) == 0) {
				depth++;
			} else {
				while (rc == 0 && npath > depth)
					rc = close_box(b, &path[--npath], min_count);
				if (ps_grow(&path, &cap, npath + 1, sizeof(*path)) < 0)
					rc = PS_E_NOMEM;
				if (rc < 0)
					break;
				path[npath++] = (struct box){ frame, len, (unsigned)depth + 1, x, 0, 0 };
				depth++;
			}
			frame += len + (frame[len] == ';');
		}
		while (rc == 0 && npath > depth)
			rc = close_box(b, &path[--npath], min_count);
		for (size_t d = 0; d < npath; d++) {
			path[d].value += rows[i].count;
			path[d].base += rows[i].base;
		}
		x += rows[i].count;
	}
	while (rc == 0 && npath > 0)
		rc = close_box(b, &path[--npath], min_count);
	if (rc == 0)
		rc = close_box(b, &(struct box){ "all", 3, 0, 0, total, base_total }, 0);
	free(path);
	return rc;
}

static bool ends_with(const struct box *bx, const char *suffix)
{
	size_t m = strlen(suffix);

	return bx->len >= m && memcmp(bx->name + bx->len - m, suffix, m) == 0;
}

/*
 * "[sleep]", "[disk]", ...: the reason leaf of perfscope's off-CPU stacks;
 * not "[unknown]", which is also what an unnamed frame of any stack is.
 */
static bool offcpu_reason(const struct box *bx)
{
	if (bx->len < 3 || bx->name[0] != '[' || bx->name[bx->len - 1] != ']')
		return false;
	for (int r = 0; r < PS_OFF_REASONS; r++)
		if (strcmp(ps_offcpu_reason_names[r], "unknown") != 0 &&
		    strlen(ps_offcpu_reason_names[r]) == bx->len - 2 &&
		    memcmp(ps_offcpu_reason_names[r], bx->name + 1, bx->len - 2) == 0)
			return true;
	return false;
}

/* A box's change of share, new minus old, in points of the whole. */
static double delta(const struct box *bx, const struct drawing *dr)
{
	double now = dr->total ? (double)bx->value / (double)dr->total : 0;
	double was = dr->base_total ? (double)bx->base / (double)dr->base_total : 0;

	return 100 * (now - was);
}

/* Differential: red where the share grew, blue where it shrank, white unchanged. */
static const char *diff_colour(const struct box *bx, const struct drawing *dr, char *fill, size_t len)
{
	double d = delta(bx, dr), strength = dr->max_delta > 0 ? d / dr->max_delta : 0;
	int pale = 255 - (int)(200 * (strength < 0 ? -strength : strength));

	if (d > 0.005) {
		snprintf(fill, len, "rgb(255,%d,%d)", pale, pale);
		return "grew";
	}
	if (d < -0.005) {
		snprintf(fill, len, "rgb(%d,%d,255)", pale, pale);
		return "shrank";
	}
	snprintf(fill, len, "rgb(250,250,250)");
	return "same";
}

/* The kind's class and a colour within its palette, varied by the name's hash. */
static const char *colour(const struct box *bx, char *fill, size_t len)
{
	uint32_t h = 2166136261u;
	double v;

	for (size_t i = 0; i < bx->len; i++)
		h = (h ^ (unsigned char)bx->name[i]) * 16777619u;
	v = (double)(h % 1000) / 1000.0;
	if (bx->depth == 0) {
		snprintf(fill, len, "rgb(190,190,190)");
		return "all";
	}
	if (ends_with(bx, "_[k]")) {
		snprintf(fill, len, "rgb(%d,%d,%d)", 225 + (int)(30 * v), 130 + (int)(50 * v), 40);
		return "kernel";
	}
	if (ends_with(bx, "_[i]")) {
		snprintf(fill, len, "rgb(%d,%d,%d)", 80 + (int)(50 * v), 200 + (int)(30 * v), 200 + (int)(30 * v));
		return "inline";
	}
	if (ends_with(bx, "_[j]")) {
		snprintf(fill, len, "rgb(%d,%d,%d)", 60 + (int)(60 * v), 190 + (int)(40 * v), 60 + (int)(40 * v));
		return "jit";
	}
	if (offcpu_reason(bx)) {
		snprintf(fill, len, "rgb(%d,%d,%d)", 70 + (int)(40 * v), 120 + (int)(50 * v), 225 + (int)(30 * v));
		return "offcpu";
	}
	snprintf(fill, len, "rgb(%d,%d,%d)", 205 + (int)(50 * v), 80 + (int)(150 * v), 50 + (int)(20 * v));
	return "user";
}

/* Text for XML content and attribute values: valid UTF-8, no control
 * characters (XML 1.0 allows none), the markup characters escaped. */
static void put_escaped(FILE *fp, const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = ps_utf8_seq((const unsigned char *)s + i, len - i);

		if (n > 1) {
			fwrite(s + i, 1, n, fp);
			i += n;
			continue;
		}
		switch (n ? s[i] : 0x7f) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case 0x7f: fputs("\xef\xbf\xbd", fp); break;   /* not UTF-8: U+FFFD */
		default:
			fputc((unsigned char)s[i] < 0x20 ? '?' : s[i], fp);
		}
		i++;
	}
}

/* The longest start of s (len bytes) no longer than max that ends between
 * characters. */
static size_t cut_at_char(const char *s, size_t len, size_t max)
{
	if (max >= len)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

static void put_box(FILE *fp, const struct box *bx, const struct drawing *dr, double scale,
		    unsigned max_depth)
{
	const struct ps_flamegraph_opts *o = dr->o;
	uint64_t total = dr->total ? dr->total : 1;
	double x = PAD + (double)bx->start * scale, w = (double)bx->value * scale;
	unsigned row = o->icicle ? bx->depth : max_depth - bx->depth;
	double y = TOP + (double)row * FRAME_HEIGHT;
	int fit = (int)((w - 6) / CHAR_WIDTH);
	char fill[48];	/* "rgb(R,G,B)": room for any int the compiler imagines */
	const char *kind = dr->differential ? diff_colour(bx, dr, fill, sizeof(fill)) :
			   colour(bx, fill, sizeof(fill));

	fprintf(fp, "<g class=\"f %s\" data-s=\"%llu\" data-v=\"%llu\" data-d=\"%u\"><title>", kind,
		(unsigned long long)bx->start, (unsigned long long)bx->value, bx->depth);
	put_escaped(fp, bx->name, bx->len);
	fprintf(fp, " (%llu %s, %.2f%%", (unsigned long long)bx->value, o->unit ? o->unit : "samples",
		100.0 * (double)bx->value / (double)total);
	if (dr->differential)
		fprintf(fp, "; before %llu, %.2f%%; %+.2f points", (unsigned long long)bx->base,
			dr->base_total ? 100.0 * (double)bx->base / (double)dr->base_total : 0.0,
			delta(bx, dr));
	fprintf(fp, ")</title><rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\" "
		"fill=\"%s\"/><text x=\"%.2f\" y=\"%.1f\">", x, y, w, FRAME_HEIGHT - 1, fill, x + 3,
		y + FRAME_HEIGHT - 4.5);
	if (fit >= 3 && (size_t)fit >= bx->len) {
		put_escaped(fp, bx->name, bx->len);
	} else if (fit >= 3) {
		put_escaped(fp, bx->name, cut_at_char(bx->name, bx->len, (size_t)fit - 2));
		fputs("..", fp);
	}
	fputs("</text></g>\n", fp);
}

static int write_svg(FILE *fp, const struct boxes *b, const struct drawing *dr)
{
	const struct ps_flamegraph_opts *o = dr->o;
	uint64_t total = dr->total;
	double width = o->width > 0 ? o->width : 1200, inner = width - 2 * PAD;
	double height = TOP + (double)(b->max_depth + 1) * FRAME_HEIGHT + BOTTOM;
	double scale = total ? inner / (double)total : 0;
	const char *title = o->title ? o->title : dr->differential ? "Differential flame graph" :
			    o->icicle ? "Icicle graph" : "Flame graph";
	const char *ids = o->id_prefix ? o->id_prefix : "";

	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" class=\"flamegraph\" "
		"width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n", width, height, width, height);
	/* scoped to the graph: on a page its style would reach every other SVG */
	fprintf(fp, "<style>\n"
		".flamegraph text { font-family: monospace; font-size: %dpx; fill: #000; }\n"
		".flamegraph g.f text { pointer-events: none; }\n"
		".flamegraph g.f:hover rect { stroke: #000; stroke-width: 0.5; cursor: pointer; }\n"
		".flamegraph g.caller { opacity: 0.6; }\n"
		".flamegraph .button { cursor: pointer; fill: #225; }\n"
		".flamegraph .fg-title { font-size: %dpx; }\n"
		"</style>\n<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n",
		FONT_SIZE, FONT_SIZE + 5, ps_flamegraph_js);
	fprintf(fp, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#f8f8f4\"/>\n"
		"<text id=\"%stitle\" class=\"fg-title\" x=\"%.1f\" y=\"22\" text-anchor=\"middle\">",
		width, height, ids, width / 2);
	put_escaped(fp, title, strlen(title));
	fprintf(fp, "</text>\n<text id=\"%sunzoom\" class=\"button fg-unzoom\" x=\"%d\" y=\"22\" "
		"style=\"opacity:0\">Reset zoom</text>\n"
		"<text id=\"%ssearch\" class=\"button fg-search\" x=\"%.1f\" y=\"22\" "
		"text-anchor=\"end\">Search</text>\n"
		"<text id=\"%sdetails\" class=\"fg-details\" x=\"%d\" y=\"%.1f\"> </text>\n"
		"<text id=\"%smatched\" class=\"fg-matched\" x=\"%.1f\" y=\"%.1f\" "
		"text-anchor=\"end\"> </text>\n",
		ids, PAD, ids, width - PAD, ids, PAD, height - 9, ids, width - PAD, height - 9);
	if (b->merged)
		fprintf(fp, "<!-- %zu frames narrower than %.2f px are left to their callers -->\n", b->merged,
			total ? b->min_count * inner / (double)total : 0);
	fprintf(fp, "<g id=\"%sframes\" class=\"fg-frames\" data-total=\"%llu\" data-pad=\"%d\" "
		"data-inner=\"%.2f\">\n", ids, (unsigned long long)total, PAD, inner);
	for (size_t i = 0; i < b->n; i++)
		put_box(fp, &b->items[i], dr, scale, b->max_depth);
	fputs("</g>\n</svg>\n", fp);
	return ferror(fp) ? -1 : 0;
}

static int cmp_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * At most PS_FLAMEGRAPH_MAX_BOXES boxes: past that a browser takes seconds
 * to open the file, so the narrowest go to their callers, as if min_width
 * were wider.  A box is never wider than its caller's, so what is kept is
 * still a whole tree.
 */
static int cap_boxes(struct boxes *b)
{
	uint64_t *values, cut;
	size_t kept = 0, ties = 0;
	bool *keep;

	if (b->n <= PS_FLAMEGRAPH_MAX_BOXES)
		return 0;
	values = malloc(b->n * sizeof(*values));
	keep = calloc(b->n, sizeof(*keep));
	if (!values || !keep) {
		free(values);
		free(keep);
		return PS_E_NOMEM;
	}
	for (size_t i = 0; i < b->n; i++)
		values[i] = b->items[i].value;
	qsort(values, b->n, sizeof(*values), cmp_desc);
	cut = values[PS_FLAMEGRAPH_MAX_BOXES - 1];
	for (size_t i = 0; i < PS_FLAMEGRAPH_MAX_BOXES; i++)
		ties += values[i] == cut;
	free(values);
	/* boxes as wide as the cut fill what is left, callers first (the boxes
	 * are in post-order: backwards, a caller comes before its callees), so
	 * no box is kept without its caller */
	for (size_t i = b->n; i-- > 0;) {
		const struct box *bx = &b->items[i];

		keep[i] = bx->value > cut || bx->depth == 0 || (bx->value == cut && ties && ties--);
	}
	b->max_depth = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (!keep[i])
			continue;
		b->items[kept++] = b->items[i];
		if (b->items[i].depth > b->max_depth)
			b->max_depth = b->items[i].depth;
	}
	free(keep);
	b->merged += b->n - kept;
	b->n = kept;
	if ((double)cut > b->min_count)
		b->min_count = (double)cut;
	return 0;
}

/* Draws rows[0..n) (reordered here). */
static int draw(FILE *fp, struct row *rows, size_t n, struct drawing *dr, struct ps_flamegraph_stats *stats)
{
	const struct ps_flamegraph_opts *o = dr->o;
	double width = o->width > 0 ? o->width : 1200, min_width = o->min_width > 0 ? o->min_width : 0.1;
	/* a frame of fewer counts than this is narrower than min_width */
	double min_count = dr->total ? min_width * (double)dr->total / (width - 2 * PAD) : 0;
	struct boxes b = { .min_count = min_count };
	int rc = PS_E_NOMEM;

	qsort(rows, n, sizeof(*rows), cmp_stacks);
	if (layout(&b, rows, n, dr->total, dr->base_total, min_count) == 0 && cap_boxes(&b) == 0) {
		for (size_t i = 0; dr->differential && i < b.n; i++) {
			double d = delta(&b.items[i], dr);

			if ((d < 0 ? -d : d) > dr->max_delta)
				dr->max_delta = d < 0 ? -d : d;
		}
		rc = write_svg(fp, &b, dr);
	}
	if (stats)
		*stats = (struct ps_flamegraph_stats){ b.n, b.merged, b.max_depth };
	free(b.items);
	return rc;
}

int ps_flamegraph_svg(FILE *fp, const struct ps_fold_set *s, const struct ps_flamegraph_opts *o,
		      struct ps_flamegraph_stats *stats)
{
	struct row *rows = malloc((s->n + 1) * sizeof(*rows));
	struct drawing dr = { .o = o, .total = s->total };
	int rc;

	if (!rows)
		return PS_E_NOMEM;
	for (size_t i = 0; i < s->n; i++)
		rows[i] = (struct row){ s->items[i].stack, s->items[i].count, 0 };
	rc = draw(fp, rows, s->n, &dr, stats);
	free(rows);
	return rc;
}

int ps_flamegraph_diff_svg(FILE *fp, const struct ps_fold_diff *d, const struct ps_flamegraph_opts *o,
			   struct ps_flamegraph_stats *stats)
{
	struct row *rows = malloc((d->nlines + 1) * sizeof(*rows));
	struct drawing dr = { .o = o, .total = d->new_total, .differential = true };
	int rc;

	if (!rows)
		return PS_E_NOMEM;
	/* the old counts as given (--normalize scales them): shares of their own sum */
	for (size_t i = 0; i < d->nlines; i++) {
		rows[i] = (struct row){ d->lines[i].stack, d->lines[i].new_count, d->lines[i].old_count };
		dr.base_total += d->lines[i].old_count;
	}
	rc = draw(fp, rows, d->nlines, &dr, stats);
	free(rows);
	return rc;
}

int ps_flamegraph_svg_of(FILE *fp, ps_flamegraph_fold_fn fold, const void *ctx,
			 const struct ps_flamegraph_opts *o)
{
	struct ps_fold_set stacks = { 0 };
	struct ps_error err = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	int rc;

	if (!mem)
		return PS_E_NOMEM;
	rc = fold(mem, ctx);
	if (fclose(mem) != 0 || rc < 0) {
		free(text);
		return PS_E_NOMEM;
	}
	/* ps_fold_parse owns text from here, parsed or not */
	rc = ps_fold_parse(&stacks, text, "the stacks", &err);
	if (rc == 0)
		rc = ps_flamegraph_svg(fp, &stacks, o, NULL);
	ps_fold_release(&stacks);
	return rc < 0 ? rc : 0;
}
