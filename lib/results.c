// SPDX-License-Identifier: MIT
/* results: builds, writes, reads and checks results.json documents with jansson. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <syslab/results.h>

/* jansson rejects NaN and infinities; what could not be measured is null, never a made-up 0. */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

json_t *results_new(const char *mode, uint64_t seed, const char *command)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_pack("{s:s, s:i, s:{s:s, s:s}, s:s, s:s, s:I, s:s, s:o, s:[]}", "schema", RESULTS_SCHEMA,
			 "version", RESULTS_VERSION, "tool", "name", "syslab", "version", SYSLAB_VERSION,
			 "started", when, "mode", mode, "seed", (json_int_t)seed, "command",
			 command ? command : "", "env", json_object(), "experiments");
}

static json_t *env_caches(const struct cpu_info *c0)
{
	json_t *a = json_array();
	for (int i = 0; c0 && i < c0->ncaches; i++) {
		const struct cpu_cache *k = &c0->caches[i];
		json_array_append_new(a, json_pack("{s:i, s:s, s:I, s:i, s:s}", "level", k->level, "type",
						   k->type, "size", (json_int_t)k->size, "line_size",
						   k->line_size, "shared_cpus", k->shared_cpus));
	}
	return a;
}

/* The allowed CPUs as a kernel-style list ("0-3,8"). */
static json_t *env_allowed(const struct cpu_topology *t)
{
	char buf[4096] = "";
	size_t len = 0;
	for (int i = 0; i < t->ncpus && len < sizeof buf - 32; i++) {
		if (!t->cpus[i].allowed)
			continue;
		int j = i;
		while (j + 1 < t->ncpus && t->cpus[j + 1].allowed && t->cpus[j + 1].id == t->cpus[j].id + 1)
			j++;
		len += (size_t)snprintf(buf + len, sizeof buf - len, len ? ",%d" : "%d", t->cpus[i].id);
		if (j > i)
			len += (size_t)snprintf(buf + len, sizeof buf - len, "-%d", t->cpus[j].id);
		i = j;
	}
	return json_string(buf);
}

static json_t *env_topology(const struct cpu_topology *t)
{
	json_t *a = json_array();
	for (int i = 0; i < t->ncpus; i++) {
		const struct cpu_info *c = &t->cpus[i];
		json_t *sib = json_array();
		for (int s = 0; s < c->nsiblings && s < 8; s++)
			json_array_append_new(sib, json_integer(c->siblings[s]));
		json_array_append_new(a, json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:b}", "cpu", c->id,
						   "package", c->package, "die", c->die, "core", c->core,
						   "core_index", c->core_index, "node", c->node, "siblings",
						   sib, "allowed", c->allowed));
	}
	return a;
}

static json_t *env_perf(const struct perf_set *ps)
{
	json_t *o = json_object();
	for (int k = 0; k < PERF_NCOUNTERS; k++) {
		/* err[], not the fd: the set may be closed already, and err[] outlives it. */
		bool okk = ps && ps->err[k] == 0;
		json_t *v = okk ? json_pack("{s:b}", "supported", 1)
				: json_pack("{s:b, s:s}", "supported", 0, "reason",
					    perf_reason(ps ? ps->err[k] : ENOSYS));
		json_object_set_new(o, perf_counter_name(k), v);
	}
	return o;
}

json_t *results_env(const struct cpu_topology *t, const struct cpu_conditions *c, const struct clock_info *ci,
		    const struct perf_set *ps)
{
	char host[256] = "";
	gethostname(host, sizeof host - 1);
	bool siblings_seen = t->smt;
	json_t *vulns = json_object();
	for (int i = 0; i < c->nvulns; i++)
		json_object_set_new(vulns, c->vulns[i].name, json_string(c->vulns[i].state));
	json_t *timer = json_pack(
		"{s:s, s:o, s:o, s:o, s:o, s:o}", "source", ci->source ? ci->source : "clock_gettime",
		"tsc_ghz", ci->tsc_usable ? num(ci->tsc_ghz) : json_null(), "mono_overhead_ns",
		num(ci->mono_overhead_ns), "mono_resolution_ns", num(ci->mono_resolution_ns),
		"tsc_overhead_ns", ci->tsc_usable ? num(ci->tsc_overhead_ns) : json_null(),
		"tsc_resolution_ns", ci->tsc_usable ? num(ci->tsc_resolution_ns) : json_null());
	const struct cpu_info *c0 = t->ncpus ? &t->cpus[0] : NULL;
	json_t *env = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:{s:s, s:b, s:b}, s:i, s:o, s:o,"
			 " s:o, s:o, s:o, s:s, s:s, s:o, s:b, s:o, s:o, s:o}",
			 "hostname", host, "kernel", c->kernel, "arch", c->arch, "cpu_model", c->model,
			 "cpus_online", t->ncpus, "cores", t->ncores, "packages", t->npackages, "numa_nodes",
			 t->nnodes, "smt", "control", c->smt_control, "active", c->smt_active,
			 "siblings_seen", siblings_seen, "line_size", t->line_size, "caches", env_caches(c0),
			 "topology", env_topology(t), "governor", str_or_null(c->governor), "cpufreq_driver",
			 str_or_null(c->driver), "boost", c->boost < 0 ? json_null() : json_boolean(c->boost),
			 "isolated", c->isolated, "nohz_full", c->nohz_full, "hypervisor",
			 str_or_null(c->hypervisor), "tsc_invariant", c->tsc_invariant, "mitigations", vulns,
			 "timer", timer, "perf", env_perf(ps));
	if (env)
		json_object_set_new(env, "allowed_cpus", env_allowed(t));
	return env;
}

json_t *results_add_experiment(json_t *doc, const char *name, const char *title, const char *question)
{
	json_t *e = json_pack("{s:s, s:s, s:s, s:[], s:[], s:[], s:[], s:[]}", "name", name, "title", title,
			      "question", question, "conditions", "cases", "claims", "matrices", "notes");
	if (e && json_array_append_new(json_object_get(doc, "experiments"), e) != 0)
		return NULL;
	return e;
}

int results_add_text(json_t *exp, const char *list, const char *text)
{
	return json_array_append_new(json_object_get(exp, list), json_string(text)) ? -ENOMEM : 0;
}

json_t *results_hist(const struct hist *h)
{
	json_t *buckets = json_array();
	int32_t it = 0;
	int64_t lo, hi;
	uint64_t count;
	while (hist_next_bucket(h, &it, &lo, &hi, &count))
		json_array_append_new(
			buckets, json_pack("[I, I, I]", (json_int_t)lo, (json_int_t)hi, (json_int_t)count));
	return json_pack("{s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "unit", "ns",
			 "sig_digits", h->sig_digits, "total", (json_int_t)h->total, "min",
			 (json_int_t)h->min, "max", (json_int_t)h->max, "p50",
			 (json_int_t)hist_percentile(h, 50), "p90", (json_int_t)hist_percentile(h, 90), "p99",
			 (json_int_t)hist_percentile(h, 99), "p999", (json_int_t)hist_percentile(h, 99.9),
			 "clamped", (json_int_t)h->clamped, "buckets", buckets);
}

static json_t *case_summary(const struct stats_summary *s)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "n", (json_int_t)s->n, "mean", num(s->mean), "stddev", num(s->stddev), "cv",
			 num(s->cv), "min", num(s->min), "max", num(s->max), "median", num(s->median), "mad",
			 num(s->mad), "q1", num(s->q1), "q3", num(s->q3), "p1", num(s->p1), "p5", num(s->p5),
			 "p90", num(s->p90), "p95", num(s->p95), "p99", num(s->p99), "p999", num(s->p999));
}

static json_t *case_counters(const struct bench_result *r)
{
	json_t *o = json_object();
	for (int k = 0; k < PERF_NCOUNTERS; k++)
		json_object_set_new(o, perf_counter_name(k),
				    r->counter_ok[k] ? json_pack("{s:b, s:o}", "supported", 1, "per_op",
								 num(r->counter_per_op[k]))
						     : json_pack("{s:b}", "supported", 0));
	return o;
}

json_t *results_add_case(json_t *exp, const struct bench_case *c, const char *group,
			 const struct bench_result *r, unsigned resamples)
{
	static const char *const status[] = {"ok", "unsupported", "failed"};
	json_t *cpus = json_array();
	for (int i = 0; i < c->ncpus && i < 4; i++)
		json_array_append_new(cpus, json_integer(c->cpus[i]));
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "name", c->name, "label",
			      c->label ? c->label : c->name, "group", group ? group : "", "status",
			      status[r->status], "cpus", cpus, "unit", c->unit ? c->unit : "ns/op");
	if (!o)
		return NULL;
	if (r->status != BENCH_OK) {
		json_object_set_new(o, "reason", json_string(r->reason));
	} else {
		json_t *samples = json_array();
		for (size_t i = 0; i < r->n; i++)
			json_array_append_new(samples, num(r->samples[i]));
		const struct stats_outliers *out = &r->summary.outliers;
		json_object_update_new(
			o,
			json_pack("{s:I, s:o, s:o, s:o, s:{s:f, s:o, s:o, s:s, s:i}, s:{s:I, s:I, s:I, s:I},"
				  " s:b, s:o, s:o, s:o}",
				  "iters_per_sample", (json_int_t)r->iters, "ops_per_iter",
				  num(c->ops_per_iter > 0 ? c->ops_per_iter : 1), "samples", samples,
				  "summary", case_summary(&r->summary), "ci", "level", r->ci.level, "lo",
				  num(r->ci.lo), "hi", num(r->ci.hi), "method", "bootstrap-percentile",
				  "resamples", (int)resamples, "outliers", "low_severe",
				  (json_int_t)out->low_severe, "low_mild", (json_int_t)out->low_mild,
				  "high_mild", (json_int_t)out->high_mild, "high_severe",
				  (json_int_t)out->high_severe, "converged", r->converged, "warmup_s",
				  num(r->warmup_ns / 1e9), "measure_s", num(r->measure_ns / 1e9), "counters",
				  case_counters(r)));
		if (r->op_hist && r->op_hist->total)
			json_object_set_new(o, "hist", results_hist(r->op_hist));
	}
	if (json_array_append_new(json_object_get(exp, "cases"), o) != 0)
		return NULL;
	return o;
}

json_t *results_add_claim(json_t *exp, const struct claim *cl)
{
	bool tested = cl->verdict != CLAIM_NOT_TESTED;
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:s}", "text", cl->text, "a", cl->a,
			      "b", cl->b, "kind", claim_kind_name(cl->kind), "threshold", num(cl->threshold),
			      "expect", cl->expect ? cl->expect : "appear", "ratio",
			      tested ? num(cl->ratio.point) : json_null(), "ci",
			      tested ? json_pack("{s:f, s:o, s:o}", "level", cl->ratio.level, "lo",
						 num(cl->ratio.lo), "hi", num(cl->ratio.hi))
				     : json_null(),
			      "verdict", claim_verdict_name(cl->verdict));
	if (o && cl->reason[0])
		json_object_set_new(o, "reason", json_string(cl->reason));
	if (o && cl->paired)
		json_object_set_new(o, "paired", json_true());
	if (!o || json_array_append_new(json_object_get(exp, "claims"), o) != 0)
		return NULL;
	return o;
}

static json_t *labels(size_t n, const char *const *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(l[i]));
	return a;
}

json_t *results_add_matrix(json_t *exp, const char *name, const char *title, const char *unit,
			   const char *row_title, const char *col_title, size_t nrows, size_t ncols,
			   const char *const *rows, const char *const *cols, const double *values)
{
	json_t *vals = json_array();
	for (size_t r = 0; r < nrows; r++) {
		json_t *row = json_array();
		for (size_t c = 0; c < ncols; c++)
			json_array_append_new(row, num(values[r * ncols + c]));
		json_array_append_new(vals, row);
	}
	json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "name", name, "title", title,
			      "unit", unit, "row_title", row_title, "col_title", col_title, "rows",
			      labels(nrows, rows), "cols", labels(ncols, cols), "values", vals);
	if (!m || json_array_append_new(json_object_get(exp, "matrices"), m) != 0)
		return NULL;
	return m;
}

int results_write(const json_t *doc, const char *path, char *err, size_t errlen)
{
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid()) >= sizeof tmp) {
		snprintf(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	if (json_dump_file(doc, tmp, JSON_INDENT(1)) != 0) {
		int e = errno ? errno : EIO;
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
		unlink(tmp);
		return -e;
	}
	if (rename(tmp, path) != 0) {
		int e = errno;
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
		unlink(tmp);
		return -e;
	}
	return 0;
}

int results_check(const json_t *doc, char *err, size_t errlen)
{
	const char *schema = json_string_value(json_object_get(doc, "schema"));
	json_t *v = json_object_get(doc, "version");
	if (!json_is_object(doc) || !schema || strcmp(schema, RESULTS_SCHEMA) != 0) {
		snprintf(err, errlen, "not a syslab results document (no \"schema\": \"%s\")",
			 RESULTS_SCHEMA);
		return -EINVAL;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		snprintf(err, errlen, "results document has no valid version");
		return -EINVAL;
	}
	if (json_integer_value(v) > RESULTS_VERSION) {
		snprintf(err, errlen, "results version %lld is newer than this syslab reads (%d)",
			 (long long)json_integer_value(v), RESULTS_VERSION);
		return -EINVAL;
	}
	if (!json_is_array(json_object_get(doc, "experiments"))) {
		snprintf(err, errlen, "results document has no \"experiments\" list");
		return -EINVAL;
	}
	return 0;
}

int results_load(const char *path, json_t **doc, char *err, size_t errlen)
{
	json_error_t je;
	*doc = NULL;
	if (access(path, R_OK) != 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	json_t *d = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!d) {
		snprintf(err, errlen, "%s: not valid JSON (line %d, column %d: %s)", path, je.line, je.column,
			 je.text);
		return -EINVAL;
	}
	char why[200];
	int rc = results_check(d, why, sizeof why);
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, why);
		json_decref(d);
		return rc;
	}
	*doc = d;
	return 0;
}

json_t *results_find_case(const json_t *doc, const char *exp, const char *name)
{
	size_t i, j;
	json_t *e, *c;
	json_array_foreach(json_object_get(doc, "experiments"), i, e)
	{
		const char *en = json_string_value(json_object_get(e, "name"));
		if (!en || strcmp(en, exp) != 0)
			continue;
		json_array_foreach(json_object_get(e, "cases"), j, c)
		{
			const char *cn = json_string_value(json_object_get(c, "name"));
			if (cn && strcmp(cn, name) == 0)
				return c;
		}
	}
	return NULL;
}

size_t results_case_samples(const json_t *c, double **out)
{
	json_t *s = json_object_get(c, "samples"), *v;
	size_t n = json_array_size(s), i;
	*out = NULL;
	if (n == 0 || !(*out = malloc(n * sizeof **out)))
		return 0;
	json_array_foreach(s, i, v)
	{
		if (!json_is_number(v)) {
			free(*out);
			*out = NULL;
			return 0;
		}
		(*out)[i] = json_number_value(v);
	}
	return n;
}
