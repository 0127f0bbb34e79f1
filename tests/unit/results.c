// SPDX-License-Identifier: MIT
/* Unit test of results: a document built from measured pieces survives a write/read round trip. */
#include <errno.h>
#include <math.h>
#include <unistd.h>

#include <syslab/results.h>

#include "tap.h"

static char dir[] = "/tmp/syslab-results-test.XXXXXX";

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

int main(void)
{
	char path[256], err[256];
	static struct cpu_topology topo;
	static struct cpu_conditions cond;
	struct clock_info clk = {.source = "clock_gettime", .mono_overhead_ns = 20, .mono_resolution_ns = 1};
	struct perf_set ps;

	if (!mkdtemp(dir))
		skip_all("cannot create a temporary directory");
	ok(cpu_topology_read(&topo, "tests/fixtures/sysfs-2s-smt/sys/devices/system/cpu") == 0,
	   "fixture topology reads");
	cpu_conditions_read(&cond, "tests/fixtures/sysfs-2s-smt/sys", "tests/fixtures/sysfs-2s-smt/proc");
	perf_set_open(&ps, false);

	json_t *doc = results_new("quick", 42, "syslab run --quick");
	ok(doc != NULL, "results_new");
	perf_set_close(&ps); /* before results_env, as the driver does */
	json_object_set_new(doc, "env", results_env(&topo, &cond, &clk, &ps));
	json_t *exp = results_add_experiment(doc, "demo", "A demo", "Does it round-trip?");
	ok(exp != NULL, "add experiment");
	results_add_text(exp, "conditions", "on a fixture machine");
	results_add_text(exp, "notes", "a note with \"quotes\" and <tags>");

	/* A measured-looking case: samples with values JSON prints in full (no lost precision). */
	double samples[5] = {1.0 / 3, 2.5, 1e-9, 123456.789012345, 7};
	struct bench_result r = {
		.status = BENCH_OK, .iters = 1000, .n = 5, .samples = samples, .converged = true};
	double scratch[5];
	stats_summarize(samples, 5, scratch, &r.summary);
	stats_bootstrap_median_ci(samples, 5, 0.95, 100, 1, &r.ci);
	r.op_hist = hist_new(1, 1000000, 3);
	for (int i = 1; i <= 1000; i++)
		hist_record(r.op_hist, i * 7);
	r.counter_ok[PERF_TASK_CLOCK] = true;
	r.counter_per_op[PERF_TASK_CLOCK] = 0.5;
	struct bench_case c = {.name = "a/b", .label = "A <b>", .cpus = {0, 8}, .ncpus = 2, .unit = "ns/op"};
	ok(results_add_case(exp, &c, "g", &r, 100) != NULL, "add an ok case");
	struct bench_result skip = {0};
	bench_result_skip(&skip, BENCH_UNSUPPORTED, "no %s here", "SMT");
	struct bench_case c2 = {.name = "a/smt", .label = "smt"};
	ok(results_add_case(exp, &c2, "g", &skip, 0) != NULL, "add an unsupported case");

	struct claim cl = {.text = "a beats b",
			   .a = "a/b",
			   .b = "a/b",
			   .kind = CLAIM_EQUIVALENT,
			   .threshold = 0.05,
			   .expect = "vanish"};
	claim_eval(&cl, samples, 5, samples, 5, 100, 1);
	ok(results_add_claim(exp, &cl) != NULL, "add a claim");
	struct claim nt = {
		.text = "smt claim", .a = "a/smt", .b = "a/b", .kind = CLAIM_AT_LEAST, .threshold = 2};
	claim_not_tested(&nt, "no SMT here");
	results_add_claim(exp, &nt);
	const char *rows[] = {"cpu0", "cpu1"};
	double m[4] = {NAN, 60.5, 61.25, NAN};
	ok(results_add_matrix(exp, "one_way", "One way", "ns", "from", "to", 2, 2, rows, rows, m) != NULL,
	   "add a matrix");

	snprintf(path, sizeof path, "%s/results.json", dir);
	is_int(results_write(doc, path, err, sizeof err), 0, "write");
	json_t *back;
	is_int(results_load(path, &back, err, sizeof err), 0, "load");
	ok(back && json_equal(doc, back), "what is read back equals what was written, every number exact");

	json_t *bc = results_find_case(back, "demo", "a/b");
	ok(bc != NULL, "find the case");
	double *got;
	size_t n = results_case_samples(bc, &got);
	is_int(n, 5, "five samples come back");
	ok(n == 5 && memcmp(got, samples, sizeof samples) == 0, "bit for bit");
	free(got);
	ok(results_find_case(back, "demo", "nope") == NULL, "a missing case is NULL");
	ok(results_find_case(back, "nope", "a/b") == NULL, "a missing experiment is NULL");
	is_str(json_string_value(json_object_get(results_find_case(back, "demo", "a/smt"), "status")),
	       "unsupported", "the unsupported case keeps its status");
	is_str(json_string_value(json_object_get(results_find_case(back, "demo", "a/smt"), "reason")),
	       "no SMT here", "and its reason");
	json_t *claims = json_object_get(json_array_get(json_object_get(back, "experiments"), 0), "claims");
	is_str(json_string_value(json_object_get(json_array_get(claims, 0), "verdict")),
	       claim_verdict_name(cl.verdict), "the claim's verdict is kept");
	is_near(json_number_value(json_object_get(json_array_get(claims, 0), "ratio")), cl.ratio.point, 0,
		"and its ratio");
	ok(json_is_null(json_object_get(json_array_get(claims, 1), "ratio")),
	   "a claim not tested has a null ratio");
	json_t *mx = json_array_get(
		json_object_get(json_array_get(json_object_get(back, "experiments"), 0), "matrices"), 0);
	ok(json_is_null(json_array_get(json_array_get(json_object_get(mx, "values"), 0), 0)),
	   "NaN in a matrix is null");
	is_near(json_number_value(json_array_get(json_array_get(json_object_get(mx, "values"), 1), 0)), 61.25,
		0, "matrix values are kept");
	json_t *h = json_object_get(bc, "hist");
	is_int(json_integer_value(json_object_get(h, "total")), 1000, "the histogram's total");
	ok(llabs(json_integer_value(json_object_get(h, "p50")) - 3500) <= 4,
	   "its median (~3500, within 0.1%%)");
	json_t *env = json_object_get(back, "env");
	is_int(json_integer_value(json_object_get(env, "cpus_online")), 16, "env from the fixture: 16 CPUs");
	ok(json_is_true(json_object_get(json_object_get(env, "smt"), "siblings_seen")), "env: SMT siblings");
	ok(json_object_size(json_object_get(env, "perf")) == PERF_NCOUNTERS,
	   "env: every perf counter listed");
	/* The set was closed before results_env ran (as the driver does): support must survive that. */
	json_t *tc = json_object_get(json_object_get(env, "perf"), "task-clock");
	ok(json_is_true(json_object_get(tc, "supported")) == (ps.err[PERF_TASK_CLOCK] == 0),
	   "env: task-clock is supported exactly when it opened (err %d), even after the set was closed",
	   ps.err[PERF_TASK_CLOCK]);
	ok(json_is_true(json_object_get(tc, "supported")) || json_object_get(tc, "reason"),
	   "env: an unsupported counter has a reason");
	json_decref(back);

	/* Bad files: each a clear error. */
	is_int(results_load("/nonexistent/r.json", &back, err, sizeof err), -ENOENT,
	       "a missing file is -ENOENT");
	ok(strstr(err, "No such file") != NULL, "with a message (%s)", err);
	snprintf(path, sizeof path, "%s/trunc.json", dir);
	write_text(path, "{\"schema\": \"syslab-results\", \"vers");
	is_int(results_load(path, &back, err, sizeof err), -EINVAL, "truncated JSON is -EINVAL");
	ok(strstr(err, "not valid JSON") && strstr(err, "line"), "saying where (%s)", err);
	write_text(path, "{\"schema\": \"other\", \"version\": 1, \"experiments\": []}");
	is_int(results_load(path, &back, err, sizeof err), -EINVAL, "another schema is -EINVAL");
	write_text(path, "{\"schema\": \"syslab-results\", \"version\": 2, \"experiments\": []}");
	is_int(results_load(path, &back, err, sizeof err), -EINVAL, "a newer version is -EINVAL");
	ok(strstr(err, "newer") != NULL, "saying it is newer (%s)", err);
	write_text(path, "{\"schema\": \"syslab-results\", \"version\": \"1\", \"experiments\": []}");
	is_int(results_load(path, &back, err, sizeof err), -EINVAL,
	       "a version that is not a number is -EINVAL");
	write_text(path,
		   "{\"schema\": \"syslab-results\", \"version\": 1, \"version\": 1, \"experiments\": []}");
	is_int(results_load(path, &back, err, sizeof err), -EINVAL, "duplicate keys are -EINVAL");
	snprintf(path, sizeof path, "%s/no/such/dir/r.json", dir);
	ok(results_write(doc, path, err, sizeof err) < 0, "writing into a missing directory fails (%s)", err);

	hist_free(r.op_hist);
	json_decref(doc);
	snprintf(path, sizeof path, "rm -rf %s", dir);
	if (system(path) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
