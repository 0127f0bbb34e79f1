/* SPDX-License-Identifier: MIT */
/* report_machine: the Machine section of the report, from the env a results document records. */
#include <syslab/report.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "report_priv.h"

static void kv_begin(FILE *out, const char *key)
{
	fprintf(out, "<tr><th>%s</th><td>", key);
}

static void kv_str(FILE *out, const char *key, const char *val)
{
	if (!val)
		return;
	kv_begin(out, key);
	html_text(out, val);
	fputs("</td></tr>\n", out);
}

static void sep(FILE *out, bool *first)
{
	if (!*first)
		fputs(" · ", out);
	*first = false;
}

static void count_item(FILE *out, bool *first, const json_t *env, const char *key, const char *one,
		       const char *many)
{
	double n = doc_num(env, key);

	if (!isfinite(n))
		return;
	sep(out, first);
	fprintf(out, "%.0f %s", n, fmt_plural(n, one, many));
}

static void machine_topology(FILE *out, const json_t *env)
{
	bool first = true;

	kv_begin(out, "Topology");
	count_item(out, &first, env, "cpus_online", "CPU online", "CPUs online");
	count_item(out, &first, env, "cores", "core", "cores");
	count_item(out, &first, env, "packages", "package", "packages");
	count_item(out, &first, env, "numa_nodes", "NUMA node", "NUMA nodes");
	if (first)
		fputs("—", out);
	fputs("</td></tr>\n", out);
}

static void machine_smt(FILE *out, const json_t *env)
{
	const json_t *smt = doc_obj(env, "smt");
	const char *control = doc_str(smt, "control");
	int active = doc_bool(smt, "active"), seen = doc_bool(smt, "siblings_seen");

	if (!smt)
		return;
	kv_begin(out, "SMT");
	if (control && strcmp(control, "notsupported") == 0)
		fputs("not supported", out);
	else
		fputs(active == 1 ? "on" : active == 0 ? "off" : "unknown", out);
	if (control) {
		fputs(" <span class=\"muted\">(control: ", out);
		html_text(out, control);
		if (seen >= 0)
			fprintf(out, "; siblings seen: %s", seen ? "yes" : "no");
		fputs(")</span>", out);
	}
	fputs("</td></tr>\n", out);
}

static void machine_caches(FILE *out, const json_t *env)
{
	const json_t *caches = doc_arr(env, "caches");
	double line = doc_num(env, "line_size");
	bool first = true;
	char b[48];

	if (!doc_len(caches) && !isfinite(line))
		return;
	kv_begin(out, "Caches");
	for (size_t i = 0; i < doc_len(caches); i++) {
		const json_t *c = json_array_get(caches, i);
		const char *type = doc_str(c, "type");
		double level = doc_num(c, "level"), size = doc_num(c, "size");
		if (!isfinite(level) || !isfinite(size))
			continue;
		sep(out, &first);
		fprintf(out, "<b>L%.0f%s</b> %s", level,
			type && strcmp(type, "Data") == 0          ? "d"
			: type && strcmp(type, "Instruction") == 0 ? "i"
								   : "",
			fmt_bytes(b, sizeof b, size));
		if (!isfinite(line))
			line = doc_num(c, "line_size");
	}
	if (isfinite(line)) {
		sep(out, &first);
		fprintf(out, "line %.0f B", line);
	}
	fputs(first ? "—</td></tr>\n" : "</td></tr>\n", out);
}

static void machine_freq(FILE *out, const json_t *env)
{
	const char *gov = doc_str(env, "governor"), *drv = doc_str(env, "cpufreq_driver");
	int boost = doc_bool(env, "boost");

	kv_begin(out, "Frequency");
	if (gov) {
		fputs("governor ", out);
		html_text(out, gov);
		if (drv) {
			fputs(" <span class=\"muted\">(", out);
			html_text(out, drv);
			fputs(")</span>", out);
		}
	} else {
		fputs("no cpufreq <span class=\"muted\">(typical in a VM)</span>", out);
	}
	fprintf(out, " · boost %s</td></tr>\n", boost == 1 ? "on" : boost == 0 ? "off" : "unknown");
}

static void machine_virt(FILE *out, const json_t *env)
{
	const json_t *hv = doc_get(env, "hypervisor");
	int tsc = doc_bool(env, "tsc_invariant");

	if (hv) {
		kv_begin(out, "Hypervisor");
		if (json_is_string(hv))
			html_text(out, json_string_value(hv));
		else
			fputs("none (bare metal)", out);
		fputs("</td></tr>\n", out);
	}
	if (tsc >= 0)
		kv_str(out, "Invariant TSC", tsc ? "yes" : "no");
}

static void machine_isolation(FILE *out, const json_t *env)
{
	const char *iso = doc_str(env, "isolated"), *nohz = doc_str(env, "nohz_full");

	if (!iso && !nohz)
		return;
	kv_begin(out, "Isolation");
	fputs("isolated CPUs: ", out);
	html_text(out, iso && *iso ? iso : "none");
	fputs(" · nohz_full: ", out);
	html_text(out, nohz && *nohz ? nohz : "none");
	fputs("</td></tr>\n", out);
}

static void machine_kernel(FILE *out, const json_t *env)
{
	const char *k = doc_str(env, "kernel"), *arch = doc_str(env, "arch"),
		   *host = doc_str(env, "hostname");

	if (!k && !arch && !host)
		return;
	kv_begin(out, "Kernel");
	html_text(out, k ? k : "?");
	if (arch) {
		fputs(" ", out);
		html_text(out, arch);
	}
	if (host) {
		fputs(" <span class=\"muted\">on ", out);
		html_text(out, host);
		fputs("</span>", out);
	}
	fputs("</td></tr>\n", out);
}

static void machine_timer(FILE *out, const json_t *env)
{
	const json_t *t = doc_obj(env, "timer");
	char a[48], b[48];

	if (!t)
		return;
	kv_begin(out, "Timer");
	html_text(out, doc_str_or(t, "source", "?"));
	if (isfinite(doc_num(t, "tsc_ghz")))
		fprintf(out, " <span class=\"muted\">(TSC %s GHz)</span>",
			fmt_sig3(a, sizeof a, doc_num(t, "tsc_ghz")));
	fprintf(out, "<br>clock_gettime: %s overhead, %s resolution",
		report_fmt_value(a, sizeof a, doc_num(t, "mono_overhead_ns"), "ns"),
		report_fmt_value(b, sizeof b, doc_num(t, "mono_resolution_ns"), "ns"));
	if (isfinite(doc_num(t, "tsc_overhead_ns")) || isfinite(doc_num(t, "tsc_resolution_ns")))
		fprintf(out, "<br>TSC: %s overhead, %s resolution",
			report_fmt_value(a, sizeof a, doc_num(t, "tsc_overhead_ns"), "ns"),
			report_fmt_value(b, sizeof b, doc_num(t, "tsc_resolution_ns"), "ns"));
	fputs("</td></tr>\n", out);
}

/* Why a perf counter does not work, or NULL when it does. */
static const char *perf_reason(const json_t *v)
{
	return doc_bool(v, "supported") == 1 ? NULL : doc_str_or(v, "reason", "not supported");
}

/*
 * The names of the counters in perf that fail for reason why, or that work when why is NULL,
 * after lead and separated by commas. Returns how many.
 */
static size_t perf_names(FILE *out, const json_t *perf, const char *why, const char *lead)
{
	const char *name;
	const json_t *v;
	size_t n = 0;

	json_object_foreach((json_t *)perf, name, v)
	{
		const char *r = perf_reason(v);
		if (why ? !r || strcmp(r, why) : r != NULL)
			continue;
		fputs(n++ ? ", " : lead, out);
		html_text(out, name);
	}
	return n;
}

/* Which perf counters work: the working ones in one line, the others grouped by reason. */
static void machine_perf(FILE *out, const json_t *env)
{
	const json_t *perf = doc_obj(env, "perf"), *v;
	const char *name, *reasons[16];
	size_t nr = 0;

	if (!perf)
		return;
	kv_begin(out, "Perf counters");
	if (!perf_names(out, perf, NULL, "<span class=\"yes\">✓</span> "))
		fputs("<span class=\"no\">✗</span> none work", out);
	json_object_foreach((json_t *)perf, name, v)
	{
		const char *r = perf_reason(v);
		size_t i = 0;
		if (!r)
			continue;
		while (i < nr && strcmp(reasons[i], r))
			i++;
		if (i < nr || nr == sizeof reasons / sizeof reasons[0])
			continue;
		reasons[nr++] = r;
		perf_names(out, perf, r, "<br><span class=\"no\">✗</span> ");
		fputs(" <span class=\"muted\">— ", out);
		html_text(out, r);
		fputs("</span>", out);
	}
	fputs("</td></tr>\n", out);
}

static void machine_mitigations(FILE *out, const json_t *env)
{
	const json_t *mit = doc_obj(env, "mitigations"), *v;
	size_t n = 0, vuln = 0, fine = 0;
	const char *name;

	if (!mit || !json_object_size(mit))
		return;
	json_object_foreach((json_t *)mit, name, v)
	{
		const char *s = json_string_value(v);
		n++;
		if (s && strncmp(s, "Vulnerable", 10) == 0)
			vuln++;
		else if (s && strcmp(s, "Not affected") == 0)
			fine++;
	}
	fprintf(out,
		"<details class=\"mit\"><summary>CPU vulnerabilities and mitigations: %zu not affected, %zu "
		"mitigated%s",
		fine, n - fine - vuln, vuln ? ", <b class=\"no\">" : "");
	if (vuln)
		fprintf(out, "%zu vulnerable</b>", vuln);
	fputs("</summary>\n<table class=\"kv\">\n", out);
	json_object_foreach((json_t *)mit, name, v)
	{
		const char *s = json_string_value(v);
		fputs("<tr><th>", out);
		html_text(out, name);
		fprintf(out, "</th><td%s>", s && strncmp(s, "Vulnerable", 10) == 0 ? " class=\"no\"" : "");
		html_text(out, s ? s : "—");
		fputs("</td></tr>\n", out);
	}
	fputs("</table></details>\n", out);
}

/* The Machine section: two columns of facts about the machine, then its CPU vulnerabilities. */
void machine_write(FILE *out, const json_t *doc)
{
	const json_t *env = doc_obj(doc, "env");

	fputs("<section id=\"machine\"><h2>Machine</h2>\n", out);
	if (!env) {
		fputs("<p class=\"muted\">The document does not describe the machine.</p></section>\n", out);
		return;
	}
	fputs("<div class=\"machine\"><table class=\"kv\">\n", out);
	kv_str(out, "CPU", doc_str(env, "cpu_model"));
	machine_topology(out, env);
	machine_smt(out, env);
	machine_caches(out, env);
	machine_freq(out, env);
	machine_virt(out, env);
	fputs("</table><table class=\"kv\">\n", out);
	machine_kernel(out, env);
	machine_isolation(out, env);
	machine_timer(out, env);
	machine_perf(out, env);
	fputs("</table></div>\n", out);
	machine_mitigations(out, env);
	fputs("</section>\n", out);
}
