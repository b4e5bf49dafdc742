/*
 * The page of a profile's report.json (ps_html.h): read from the report's
 * cJSON document only, member by member as perfscope-profile(1) documents
 * them; a member that is absent shows as absent, never as zero.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/ps_diagnosis.h"
#include "render/ps_html_page.h"
#include "base/ps_json.h"

/* Rows of the top functions table: report.json's first ones, in its order. */
#define TOP_FUNCTIONS 50
/* ...and of the files table, by I/O time (report.json's order) */
#define TOP_FILES 30

/* The command line, its words separated by spaces. */
static void command_line(FILE *fp, const cJSON *md)
{
	const cJSON *word;
	bool first = true;

	cJSON_ArrayForEach(word, ps_json_member(md, "command")) {
		if (!cJSON_IsString(word))
			continue;
		if (!first)
			fputc(' ', fp);
		ps_html_text(fp, word->valuestring);
		first = false;
	}
}

static const char *program_name(const cJSON *md)
{
	const cJSON *cmd = ps_json_member(md, "command");
	const cJSON *first = cJSON_IsArray(cmd) ? cJSON_GetArrayItem(cmd, 0) : NULL;

	return first && cJSON_IsString(first) ? ps_html_basename(first->valuestring) : NULL;
}

static void header(FILE *fp, const cJSON *report)
{
	const cJSON *md = ps_json_member(report, "metadata");
	const cJSON *cpu_md = ps_json_member(ps_json_member(report, "cpu"), "metadata");
	const cJSON *code = ps_json_member(md, "exit_code");
	char buf[128];

	fputs("<header>\n<h1>Profile of <code>", fp);
	command_line(fp, md);
	fputs("</code></h1>\n<div class=\"facts\">\n", fp);
	snprintf(buf, sizeof(buf), "%.0f%s", ps_json_number(md, "pid", 0),
		 cJSON_IsTrue(ps_json_member(md, "attached")) ? " (attached)" : "");
	ps_html_fact(fp, "pid", buf);
	ps_html_fact(fp, "duration", ps_html_duration(ps_json_number(md, "duration_s", 0), buf, sizeof(buf)));
	snprintf(buf, sizeof(buf), "%.0f at %.0f Hz", ps_json_number(cpu_md, "samples", 0),
		 ps_json_number(cpu_md, "frequency", 0));
	ps_html_fact(fp, "on-CPU samples", buf);
	ps_html_fact(fp, "event", ps_json_string(cpu_md, "event"));
	if (cJSON_IsNumber(code))
		snprintf(buf, sizeof(buf), "%d", code->valueint);
	else
		snprintf(buf, sizeof(buf), "still running");
	ps_html_fact(fp, "exit status", buf);
	ps_html_fact(fp, "stopped by", ps_json_string(md, "stopped_by"));
	fputs("</div>\n<nav><a href=\"#score\">Score</a> <a href=\"#findings\">Findings</a> "
	      "<a href=\"#graph-cpu\">Flame graphs</a> <a href=\"#functions\">Functions</a> "
	      "<a href=\"#syscalls\">System calls</a> <a href=\"#offcpu\">Off CPU</a> "
	      "<a href=\"#files\">Files</a> "
	      "<a href=\"#threads\">Threads</a> <a href=\"#timeline\">Timeline</a></nav>\n</header>\n", fp);
}

/* What was not collected, and why. */
static void notes(FILE *fp, const cJSON *report)
{
	const cJSON *md = ps_json_member(report, "metadata"), *s;
	const char *tracefs = ps_json_string(md, "tracefs_note");

	cJSON_ArrayForEach(s, ps_json_member(md, "sections")) {
		const char *note = ps_json_string(s, "note");

		if (!note)
			continue;
		fputs("<p class=\"note\"><b>", fp);
		ps_html_text(fp, s->string);
		fputs(":</b> ", fp);
		ps_html_text(fp, note);
		fputs("</p>\n", fp);
	}
	if (tracefs) {
		fputs("<p class=\"note\">", fp);
		ps_html_text(fp, tracefs);
		fputs("</p>\n", fp);
	}
}

static const char *grade(double score)
{
	return score >= 75 ? "good" : score >= 50 ? "fair" : "poor";
}

static void score_card(FILE *fp, const char *label, const cJSON *v, bool overall)
{
	fprintf(fp, "<div class=\"card%s", overall ? " overall" : "");
	if (cJSON_IsNumber(v))
		fprintf(fp, " %s\" data-score=\"%.17g\">", grade(v->valuedouble), v->valuedouble);
	else
		fputs(" unmeasured\" data-score=\"\">", fp);
	fputs("<div class=\"label\">", fp);
	ps_html_text(fp, label);
	fputs("</div><div class=\"value\">", fp);
	if (cJSON_IsNumber(v))
		fprintf(fp, "%.0f<small>/100</small></div><div class=\"bar\"><i style=\"width:%.0f%%\"></i></div>",
			v->valuedouble, fmax(0, fmin(100, v->valuedouble)));
	else
		fputs("n/a</div><div class=\"bar\"></div>", fp);
	fputs("</div>\n", fp);
}

static void score(FILE *fp, const cJSON *diag)
{
	static const char *const labels[PS_AREAS] = { "CPU", "Memory", "I/O", "Concurrency" };
	const cJSON *areas = ps_json_member(diag, "areas");

	ps_html_section(fp, "score", "Score");
	if (ps_json_string(diag, "error")) {
		fputs("<p class=\"note\">No diagnosis: ", fp);
		ps_html_text(fp, ps_json_string(diag, "error"));
		fputs("</p>\n", fp);
	}
	fputs("<div class=\"cards\">\n", fp);
	score_card(fp, "Overall", ps_json_member(diag, "score"), true);
	for (int a = 0; a < PS_AREAS; a++)
		score_card(fp, labels[a], ps_json_member(areas, ps_area_names[a]), false);
	fputs("</div>\n<p class=\"explain\">100 is nothing found; each area scores 100 minus its worst "
	      "finding, and the overall score is the lowest area's (perfscope-recommend(1)).</p>\n", fp);
	if (ps_json_string(diag, "notes")) {
		fputs("<p class=\"note\">", fp);
		ps_html_text(fp, ps_json_string(diag, "notes"));
		fputs("</p>\n", fp);
	}
	ps_html_section_end(fp);
}

static void finding(FILE *fp, const cJSON *f)
{
	const char *sev = ps_json_string(f, "severity"), *reason = ps_json_string(f, "reason");
	char value[64], info[64], warning[64];

	fputs("<article class=\"finding sev-", fp);
	ps_html_text(fp, sev);
	fputs("\" data-rule=\"", fp);
	ps_html_text(fp, ps_json_string(f, "rule"));
	fputs("\">\n<div class=\"head\"><span class=\"badge\">", fp);
	ps_html_text(fp, sev);
	fputs("</span> <span class=\"area\">", fp);
	ps_html_text(fp, ps_json_string(f, "area"));
	fputs("</span> <code class=\"rule\">", fp);
	ps_html_text(fp, ps_json_string(f, "rule"));
	fprintf(fp, "</code> <span class=\"points\">score %.0f</span></div>\n<h3>",
		ps_json_number(f, "score", 0));
	ps_html_text(fp, ps_json_string(f, "summary"));
	fputs("</h3>\n<p>", fp);
	ps_html_text(fp, ps_json_string(f, "explanation"));
	fputs("</p>\n<p class=\"todo\"><b>What to do:</b> ", fp);
	ps_html_text(fp, ps_json_string(f, "solution"));
	fputs("</p>\n<p class=\"measure\">", fp);
	ps_html_text(fp, ps_json_string(f, "input"));
	fprintf(fp, " = %s (info at %s, warning at %s)",
		ps_html_number(ps_json_number(f, "value", NAN), value, sizeof(value)),
		ps_html_number(ps_json_number(f, "info", NAN), info, sizeof(info)),
		ps_html_number(ps_json_number(f, "warning", NAN), warning, sizeof(warning)));
	if (reason) {
		fputs("; ", fp);
		ps_html_text(fp, reason);
	}
	fputs("</p>\n</article>\n", fp);
}

static void findings(FILE *fp, const cJSON *diag)
{
	static const char *const columns[] = { "Rule", "Area", "Status", "#Score", "Why" };
	const cJSON *f, *others = ps_json_member(diag, "other_rules");
	size_t n = 0;

	ps_html_section(fp, "findings", "Findings");
	cJSON_ArrayForEach(f, ps_json_member(diag, "findings")) {
		finding(fp, f);
		n++;
	}
	if (!n)
		fputs("<p class=\"ok\">No rule found anything to report.</p>\n", fp);
	fprintf(fp, "<details><summary>The %d other rules</summary>\n", cJSON_GetArraySize(others));
	ps_html_table_begin(fp, "other-rules", columns, sizeof(columns) / sizeof(columns[0]));
	cJSON_ArrayForEach(f, others) {
		fputs("<tr>", fp);
		ps_html_cell(fp, ps_json_string(f, "rule"));
		ps_html_cell(fp, ps_json_string(f, "area"));
		ps_html_cell(fp, ps_json_string(f, "status"));
		if (cJSON_IsNumber(ps_json_member(f, "score")))
			ps_html_cell_count(fp, ps_json_number(f, "score", 0));
		else
			ps_html_cell_num(fp, -1, "");
		ps_html_cell(fp, ps_json_string(f, "reason"));
		fputs("</tr>\n", fp);
	}
	ps_html_table_end(fp, 1, NULL);
	fputs("</details>\n", fp);
	ps_html_section_end(fp);
}

static void functions(FILE *fp, const cJSON *cpu)
{
	static const char *const columns[] = {
		"Function", "#Self", "#Total", "#Self samples", "#Total samples", "Source", "Module",
		"#With the kernel's part",
	};
	const cJSON *f;
	size_t n = 0;

	ps_html_section(fp, "functions", "Top functions on CPU");
	fputs("<p class=\"explain\">Self: samples in the function's own code; total: samples with the "
	      "function anywhere on the stack; with the kernel's part: its self samples and the kernel's "
	      "under it (a page fault counts for the code that touched the page, a system call for its "
	      "caller), what the summary ranks by.  Click a column's header to sort.</p>\n", fp);
	ps_html_table_begin(fp, "top-functions", columns, sizeof(columns) / sizeof(columns[0]));
	cJSON_ArrayForEach(f, ps_json_member(cpu, "functions")) {
		const char *file = ps_json_string(f, "file"), *module = ps_json_string(f, "module");
		char buf[64], src[4096];

		if (n == TOP_FUNCTIONS)
			break;
		fputs("<tr>", fp);
		fputs("<td class=\"name\">", fp);
		ps_html_text(fp, ps_json_string(f, "name"));
		fputs("</td>", fp);
		snprintf(buf, sizeof(buf), "%.1f%%", ps_json_number(f, "self_pct", 0));
		ps_html_cell_num(fp, ps_json_number(f, "self_pct", 0), buf);
		snprintf(buf, sizeof(buf), "%.1f%%", ps_json_number(f, "total_pct", 0));
		ps_html_cell_num(fp, ps_json_number(f, "total_pct", 0), buf);
		ps_html_cell_count(fp, ps_json_number(f, "self", 0));
		ps_html_cell_count(fp, ps_json_number(f, "total", 0));
		if (file)
			snprintf(src, sizeof(src), "%s:%.0f", file, ps_json_number(f, "line", 0));
		else
			src[0] = '\0';
		ps_html_cell(fp, src);
		ps_html_cell_title(fp, ps_html_basename(module), module);
		/* reports from before the kernel's part was kept have self only */
		snprintf(buf, sizeof(buf), "%.1f%%", ps_json_number(f, "charged_pct", ps_json_number(f, "self_pct", 0)));
		ps_html_cell_num(fp, ps_json_number(f, "charged_pct", ps_json_number(f, "self_pct", 0)), buf);
		fputs("</tr>\n", fp);
		n++;
	}
	ps_html_table_end(fp, n, "No on-CPU samples.");
	ps_html_section_end(fp);
}

/* A cell of microseconds, shown in the unit that suits it. */
static void micros(FILE *fp, double us)
{
	char buf[48];

	ps_html_cell_num(fp, us, ps_html_duration(us / 1e6, buf, sizeof(buf)));
}

static void syscalls(FILE *fp, const cJSON *report)
{
	static const char *const columns[] = {
		"System call", "#Calls", "#Errors", "#Total time", "#Average", "#p50", "#p99", "#Max", "#Bytes",
	};
	const cJSON *sc = ps_json_member(report, "syscalls"), *c;
	const cJSON *section = ps_json_member(ps_json_member(ps_json_member(report, "metadata"), "sections"),
					      "syscalls");
	size_t n = 0;

	ps_html_section(fp, "syscalls", "System calls");
	if (!cJSON_IsTrue(ps_json_member(section, "collected"))) {
		fputs("<p class=\"note\">Not traced: ", fp);
		ps_html_text(fp, ps_json_string(section, "note"));
		fputs("</p>\n", fp);
		ps_html_section_end(fp);
		return;
	}
	if (ps_json_number(sc, "lost_events", 0) > 0)
		fprintf(fp, "<p class=\"note\">%.0f events were lost: the counts are short.</p>\n",
			ps_json_number(sc, "lost_events", 0));
	ps_html_table_begin(fp, "syscall-table", columns, sizeof(columns) / sizeof(columns[0]));
	cJSON_ArrayForEach(c, ps_json_member(sc, "calls")) {
		const cJSON *e;
		char buf[64], errs[256] = "";
		size_t len = 0;

		cJSON_ArrayForEach(e, ps_json_member(c, "errnos"))
			if (len < sizeof(errs))
				len += (size_t)snprintf(errs + len, sizeof(errs) - len, "%s%s %.0f", len ? ", " : "",
							e->string, e->valuedouble);
		fputs("<tr>", fp);
		ps_html_cell(fp, ps_json_string(c, "name"));
		ps_html_cell_count(fp, ps_json_number(c, "count", 0));
		fprintf(fp, "<td class=\"num\" data-v=\"%.17g\" title=\"", ps_json_number(c, "errors", 0));
		ps_html_text(fp, errs);
		fputs("\">", fp);
		ps_html_text(fp, ps_html_number(ps_json_number(c, "errors", 0), buf, sizeof(buf)));
		if (errs[0]) {
			fputs(" <small>", fp);
			ps_html_text(fp, errs);
			fputs("</small>", fp);
		}
		fputs("</td>", fp);
		ps_html_cell_duration(fp, ps_json_number(c, "total_s", 0));
		micros(fp, ps_json_number(c, "avg_us", 0));
		micros(fp, ps_json_number(c, "p50_us", 0));
		micros(fp, ps_json_number(c, "p99_us", 0));
		micros(fp, ps_json_number(c, "max_us", 0));
		ps_html_cell_bytes(fp, ps_json_number(c, "bytes", 0));
		fputs("</tr>\n", fp);
		n++;
	}
	ps_html_table_end(fp, n, "No system calls.");
	fputs("<p class=\"explain\">Latency percentiles are from log-scaled buckets "
	      "(perfscope-profile(1)).</p>\n", fp);
	ps_html_section_end(fp);
}

static void offcpu(FILE *fp, const cJSON *report)
{
	static const char *const columns[] = { "Reason", "#Blocked", "#Share of blocked time" };
	const cJSON *o = ps_json_member(report, "offcpu"), *r;
	const cJSON *section = ps_json_member(ps_json_member(ps_json_member(report, "metadata"), "sections"),
					      "offcpu");
	double blocked = ps_json_number(o, "blocked_s", 0);
	char buf[64];
	size_t n = 0;

	ps_html_section(fp, "offcpu", "Off CPU: where the threads waited");
	if (!cJSON_IsTrue(ps_json_member(section, "collected"))) {
		fputs("<p class=\"note\">Not recorded: ", fp);
		ps_html_text(fp, ps_json_string(section, "note"));
		fputs("</p>\n", fp);
		ps_html_section_end(fp);
		return;
	}
	fputs("<div class=\"facts\">\n", fp);
	ps_html_fact(fp, "blocked", ps_html_duration(blocked, buf, sizeof(buf)));
	ps_html_fact(fp, "runnable, waiting for a CPU",
		     ps_html_duration(ps_json_number(o, "runnable_s", 0), buf, sizeof(buf)));
	ps_html_fact(fp, "context switches", ps_html_number(ps_json_number(o, "switches", 0), buf, sizeof(buf)));
	fputs("</div>\n", fp);
	ps_html_table_begin(fp, "offcpu-reasons", columns, sizeof(columns) / sizeof(columns[0]));
	cJSON_ArrayForEach(r, ps_json_member(o, "blocked_by_reason_s")) {
		if (!cJSON_IsNumber(r) || r->valuedouble <= 0)
			continue;
		fputs("<tr>", fp);
		ps_html_cell(fp, r->string);
		ps_html_cell_duration(fp, r->valuedouble);
		snprintf(buf, sizeof(buf), "%.1f%%", blocked > 0 ? 100 * r->valuedouble / blocked : 0);
		ps_html_cell_num(fp, blocked > 0 ? 100 * r->valuedouble / blocked : 0, buf);
		fputs("</tr>\n", fp);
		n++;
	}
	ps_html_table_end(fp, n, "No thread blocked.");
	ps_html_section_end(fp);
}

static void files(FILE *fp, const cJSON *report)
{
	static const char *const columns[] = {
		"File or socket", "Kind", "#Reads", "#Read", "#Writes", "#Written", "#I/O time", "#Sequential",
	};
	const cJSON *f;
	size_t n = 0;

	if (!cJSON_IsTrue(ps_json_member(ps_json_member(ps_json_member(ps_json_member(report, "metadata"),
									 "sections"), "syscalls"), "collected")))
		return;
	ps_html_section(fp, "files", "Files and sockets");
	ps_html_table_begin(fp, "file-table", columns, sizeof(columns) / sizeof(columns[0]));
	cJSON_ArrayForEach(f, ps_json_member(report, "files")) {
		const cJSON *seq = ps_json_member(f, "sequential_share");
		double t = ps_json_number(f, "read_s", 0) + ps_json_number(f, "write_s", 0) +
			   ps_json_number(f, "sync_s", 0);
		char buf[64];

		if (n == TOP_FILES)
			break;
		fputs("<tr><td class=\"name\">", fp);
		ps_html_text(fp, ps_json_string(f, "name"));
		fputs("</td>", fp);
		ps_html_cell(fp, ps_json_string(f, "kind"));
		ps_html_cell_count(fp, ps_json_number(f, "reads", 0));
		ps_html_cell_bytes(fp, ps_json_number(f, "read_bytes", 0));
		ps_html_cell_count(fp, ps_json_number(f, "writes", 0));
		ps_html_cell_bytes(fp, ps_json_number(f, "written_bytes", 0));
		ps_html_cell_duration(fp, t);
		if (cJSON_IsNumber(seq))
			snprintf(buf, sizeof(buf), "%.0f%%", 100 * seq->valuedouble);
		else
			buf[0] = '\0';
		ps_html_cell_num(fp, cJSON_IsNumber(seq) ? seq->valuedouble : -1, buf);
		fputs("</tr>\n", fp);
		n++;
	}
	ps_html_table_end(fp, n, "No file or socket was read or written.");
	ps_html_section_end(fp);
}

/* A figure its collector did not measure (null in report.json) is a dash, not a zero. */
static void cell_or_dash(FILE *fp, const cJSON *v, void (*cell)(FILE *, double))
{
	if (cJSON_IsNumber(v))
		cell(fp, v->valuedouble);
	else
		ps_html_cell_num(fp, -1, "\u2013");
}

static void cell_share(FILE *fp, double share)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.1f%%", 100 * share);
	ps_html_cell_num(fp, share, buf);
}

/* Every process of the run (report.json's processes), most on-CPU samples first. */
static void processes(FILE *fp, const cJSON *report)
{
	static const char *const columns[] = {
		"Process", "#PID", "#Parent", "#On-CPU share", "#CPU time", "#System calls",
		"#Blocked", "#Peak RSS", "Most samples in",
	};
	const cJSON *p;
	size_t n = 0;

	ps_html_section(fp, "processes", "Processes");
	ps_html_table_begin(fp, "process-table", columns, sizeof(columns) / sizeof(columns[0]));
	cJSON_ArrayForEach(p, ps_json_member(report, "processes")) {
		const cJSON *cpu = ps_json_member(p, "cpu");
		const char *top = ps_json_string(cpu, "top_function");

		fputs("<tr><td class=\"name\">", fp);
		ps_html_text(fp, ps_json_string(p, "name"));
		fputs(cJSON_IsTrue(ps_json_member(p, "ended")) ? " <span class=\"note\">(ended)</span></td>" :
		      "</td>", fp);
		ps_html_cell_count(fp, ps_json_number(p, "pid", 0));
		cell_or_dash(fp, ps_json_member(p, "ppid"), ps_html_cell_count);
		cell_share(fp, ps_json_number(cpu, "share", 0));
		cell_or_dash(fp, ps_json_member(cpu, "cpu_s"), ps_html_cell_duration);
		cell_or_dash(fp, ps_json_member(ps_json_member(p, "syscalls"), "calls"), ps_html_cell_count);
		cell_or_dash(fp, ps_json_member(ps_json_member(p, "offcpu"), "blocked_s"), ps_html_cell_duration);
		cell_or_dash(fp, ps_json_member(p, "peak_rss_bytes"), ps_html_cell_bytes);
		ps_html_cell(fp, top ? top : "");
		fputs("</tr>\n", fp);
		n++;
	}
	ps_html_table_end(fp, n, "No process was measured.");
	ps_html_section_end(fp);
}

/* Thread tid of the on-CPU profile (cpu.threads), or NULL. */
static const cJSON *cpu_thread(const cJSON *report, double tid)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, ps_json_member(ps_json_member(report, "cpu"), "threads"))
		if (ps_json_number(t, "tid", -1) == tid)
			return t;
	return NULL;
}

static void threads(FILE *fp, const cJSON *report)
{
	static const char *const columns[] = {
		"Thread", "#TID", "#PID", "#On-CPU samples", "#CPU time", "#Scheduler delay",
	};
	const cJSON *t;
	size_t n = 0;

	ps_html_section(fp, "threads", "Threads");
	ps_html_table_begin(fp, "thread-table", columns, sizeof(columns) / sizeof(columns[0]));
	cJSON_ArrayForEach(t, ps_json_member(ps_json_member(report, "scheduler"), "threads")) {
		double tid = ps_json_number(t, "tid", 0);
		const cJSON *sampled = cpu_thread(report, tid);
		double samples = ps_json_number(sampled, "samples", 0);
		/* the name it last gave itself (the samples'), else the one read at its start */
		const char *name = sampled ? ps_json_string(sampled, "comm") : NULL;

		fputs("<tr>", fp);
		fputs("<td class=\"name\">", fp);
		ps_html_text(fp, name ? name : ps_json_string(t, "name"));
		fputs("</td>", fp);
		ps_html_cell_count(fp, tid);
		ps_html_cell_count(fp, ps_json_number(t, "pid", 0));
		ps_html_cell_count(fp, samples);
		ps_html_cell_duration(fp, ps_json_number(t, "cpu_s", 0));
		ps_html_cell_duration(fp, ps_json_number(t, "sched_delay_s", 0));
		fputs("</tr>\n", fp);
		n++;
	}
	ps_html_table_end(fp, n, "No scheduler readings.");
	ps_html_section_end(fp);
}

/* The charts of the timeline, each column a line; out of memory: none. */
static void timeline(FILE *fp, const cJSON *report)
{
	static const struct {
		const char *id, *title, *unit;
		const char *columns[2], *names[2];
	} charts[] = {
		{ "cpu", "Process CPU", "%", { "cpu_user_pct", "cpu_system_pct" }, { "user", "system" } },
		{ "rss", "Resident memory (RSS)", "bytes", { "rss_bytes" }, { "RSS" } },
		{ "threads", "Threads", "", { "threads" }, { "threads" } },
		{ "io", "I/O", "bytes/s", { "read_bytes_per_s", "write_bytes_per_s" }, { "read", "written" } },
		{ "machine", "Machine CPU and memory", "%", { "machine_cpu_pct", "machine_mem_pct" },
		  { "CPU busy", "memory used" } },
	};
	const cJSON *m = ps_json_member(report, "metrics"), *tl = ps_json_member(m, "timeline");
	size_t n = (size_t)cJSON_GetArraySize(tl), ncols = (size_t)cJSON_GetArraySize(ps_json_member(m, "columns"));
	double *values = calloc((n + 1) * (ncols + 1), sizeof(*values));
	int tcol = ps_json_index_of(m, "columns", "time_s");
	const cJSON *row;
	size_t i = 0;

	ps_html_section(fp, "timeline", "Timeline");
	if (!values || tcol < 0) {
		fputs("<p class=\"note\">No metrics.</p>\n", fp);
		ps_html_section_end(fp);
		free(values);
		return;
	}
	/* values[c * n + i]: column c at row i */
	cJSON_ArrayForEach(row, tl) {
		for (size_t c = 0; c < ncols; c++) {
			const cJSON *v = cJSON_GetArrayItem(row, (int)c);

			values[c * n + i] = cJSON_IsNumber(v) ? v->valuedouble : NAN;
		}
		i++;
	}
	fprintf(fp, "<p class=\"explain\">%zu readings, one every %s; rates are over the interval that "
		"ends at each reading.</p>\n<div class=\"charts\">\n", n,
		ps_html_duration(ps_json_number(m, "interval_s", 0), (char[32]){ 0 }, 32));
	for (size_t k = 0; k < sizeof(charts) / sizeof(charts[0]); k++) {
		struct ps_html_series s[2];
		size_t ns = 0;

		for (size_t j = 0; j < 2 && charts[k].columns[j]; j++) {
			int c = ps_json_index_of(m, "columns", charts[k].columns[j]);

			if (c >= 0)
				s[ns++] = (struct ps_html_series){ charts[k].names[j], values + (size_t)c * n };
		}
		if (ns)
			ps_html_chart(fp, charts[k].id, charts[k].title, charts[k].unit, values + (size_t)tcol * n,
				      n, s, ns);
	}
	fputs("</div>\n", fp);
	ps_html_section_end(fp);
	free(values);
}

void ps_html_profile_page(FILE *fp, const cJSON *report, const struct ps_html_graph *g, size_t n)
{
	const cJSON *diag = ps_json_member(report, "diagnosis");
	const char *name = program_name(ps_json_member(report, "metadata"));
	char title[256];

	snprintf(title, sizeof(title), "perfscope profile: %s", name ? name : "report");
	ps_html_begin(fp, title);
	header(fp, report);
	fputs("<main>\n", fp);
	notes(fp, report);
	score(fp, diag);
	findings(fp, diag);
	ps_html_graphs(fp, g, n);
	functions(fp, ps_json_member(report, "cpu"));
	processes(fp, report);
	syscalls(fp, report);
	offcpu(fp, report);
	files(fp, report);
	threads(fp, report);
	timeline(fp, report);
	fputs("</main>\n", fp);
	ps_html_end(fp, report);
}
