// SPDX-License-Identifier: MIT
/* syslab: the driver. Runs experiments, prints and compares their results, renders reports. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <syslab/clock.h>
#include <syslab/cpu.h>
#include <syslab/perf.h>
#include <syslab/report.h>
#include <syslab/pcache.h>
#include <syslab/results.h>

#include "cli.h"
#include "experiment.h"

static const char usage_text[] =
	"usage: syslab COMMAND [OPTIONS]\n"
	"\n"
	"A systems laboratory: experiments measured against their anchors, in the same run, with\n"
	"statistics that say whether an effect is real or noise.\n"
	"\n"
	"commands:\n"
	"  list                     the experiments and what each shows\n"
	"  env [--json]             the machine as the lab sees it\n"
	"  run [EXP...] [--quick|--full] [--out DIR] [--seed N] [--file PATH]\n"
	"                           run experiments (default: all); writes DIR/results.json and\n"
	"                           DIR/report.html (DIR defaults to syslab-results)\n"
	"  show FILE.json           print the summary of a results file\n"
	"  compare A.json B.json [--json]\n"
	"                           per case: median(B)/median(A) with its 95% CI, and whether the\n"
	"                           change is significant\n"
	"  report FILE.json [--out PAGE.html]\n"
	"                           render a results file as a page (default: beside it, report.html)\n"
	"\n"
	"options:\n"
	"  --help, --version\n";

struct run_opts {
	enum bench_mode mode;
	const char *out;
	uint64_t seed;
	const char *file; /* --file, for syslat */
	const struct experiment *exps[64];
	int nexps;
};

/* The machine as the lab sees it, measured once per process. */
struct machine {
	struct cpu_topology topo;
	struct cpu_conditions cond;
	struct clock_info clk;
	struct perf_set perf;
};

static struct machine *machine_read(unsigned calib_ms)
{
	struct machine *m = calloc(1, sizeof *m);
	int rc;
	if (!m)
		die(1, "out of memory");
	if ((rc = cpu_topology_read(&m->topo, "/sys/devices/system/cpu")) != 0)
		die(1, "cannot read the CPU topology from /sys/devices/system/cpu: %s", strerror(-rc));
	/* Run where the user let us: `taskset -c 2,3 syslab run` measures on CPUs 2 and 3. */
	struct cpu_affinity mask;
	if (cpu_affinity_save(&mask) == 0 && cpu_topology_restrict(&m->topo, &mask) < 0)
		die(1, "none of the online CPUs is in this process's affinity mask");
	cpu_conditions_read(&m->cond, "/sys", "/proc");
	clock_calibrate(&m->clk, m->cond.tsc_invariant, calib_ms);
	perf_set_open(&m->perf, false);
	perf_set_close(&m->perf); /* keeps the err[] of each counter: what env reports */
	return m;
}

static int cmd_list(int argc, char **argv)
{
	(void)argv;
	if (argc > 0)
		die(EXIT_USAGE, "list: takes no arguments");
	for (int i = 0; i < exp_table_len; i++)
		printf("%-12s %s\n", exp_table[i]->name, exp_table[i]->shows);
	return 0;
}

static void print_env(const json_t *env)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)env, key, v)
	{
		if (json_is_array(v) || json_is_object(v))
			continue;
		if (json_is_string(v) || json_is_null(v)) {
			printf("%-16s %s\n", key, json_is_null(v) ? "-" : json_string_value(v));
			continue;
		}
		char *s = json_dumps(v, JSON_ENCODE_ANY);
		printf("%-16s %s\n", key, s ? s : "?");
		free(s);
	}
	json_t *c;
	size_t i;
	json_array_foreach(json_object_get(env, "caches"), i, c)
		printf("cache            L%lld %-11s %6lld KiB, line %lld, shared by %s\n",
		       (long long)json_integer_value(json_object_get(c, "level")),
		       json_string_value(json_object_get(c, "type")),
		       (long long)json_integer_value(json_object_get(c, "size")) / 1024,
		       (long long)json_integer_value(json_object_get(c, "line_size")),
		       json_string_value(json_object_get(c, "shared_cpus")));
	json_t *t = json_object_get(env, "timer");
	json_object_foreach(t, key, v)
	{
		char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(4));
		printf("timer.%-10s %s\n", key, s ? s : "?");
		free(s);
	}
	json_object_foreach(json_object_get(env, "perf"), key, v)
	{
		json_t *why = json_object_get(v, "reason");
		printf("perf.%-11s %s\n", key,
		       json_is_true(json_object_get(v, "supported")) ? "supported" : json_string_value(why));
	}
	json_object_foreach(json_object_get(env, "mitigations"), key, v)
		printf("vuln.%-11s %s\n", key, json_string_value(v));
}

static int cmd_env(int argc, char **argv)
{
	bool as_json = false;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			as_json = true;
		else
			die(EXIT_USAGE, "env: unknown argument '%s' (see syslab --help)", argv[i]);
	}
	struct machine *m = machine_read(100);
	json_t *env = results_env(&m->topo, &m->cond, &m->clk, &m->perf);
	if (!env)
		die(1, "out of memory");
	if (as_json) {
		json_dumpf(env, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(6));
		putchar('\n');
	} else {
		print_env(env);
	}
	json_decref(env);
	free(m);
	return 0;
}

static uint64_t parse_seed(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-')
		die(EXIT_USAGE, "run: --seed takes a non-negative integer, not '%s'", s);
	return v;
}

/* --file is syslat's: refuse it early, in one line, when it cannot be read, not after the other experiments.
 */
static void check_file(const struct run_opts *o)
{
	struct pcache_file f;
	char err[400];
	bool used = false;
	for (int i = 0; i < o->nexps; i++)
		used |= strcmp(o->exps[i]->name, "syslat") == 0;
	if (!used)
		die(EXIT_USAGE, "run: --file is for the syslat experiment, which is not among those named");
	if (!*o->file)
		die(EXIT_USAGE, "run: --file needs a path");
	if (pcache_open(&f, o->file, err, sizeof err) != 0)
		die(EXIT_USAGE, "run: --file: %s", err);
	pcache_close(&f);
}

static void parse_run(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{"quick", no_argument, NULL, 'q'},
		{"full", no_argument, NULL, 'f'},
		{"smoke", no_argument, NULL, 's'},
		{"out", required_argument, NULL, 'o'},
		{"seed", required_argument, NULL, 'S'},
		{"file", required_argument, NULL, 'F'},
		{0, 0, 0, 0},
	};
	int c, modes = 0;
	*o = (struct run_opts){.mode = BENCH_DEFAULT, .out = "syslab-results", .seed = 1};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			o->mode = BENCH_QUICK, modes++;
			break;
		case 'f':
			o->mode = BENCH_FULL, modes++;
			break;
		case 's':
			o->mode = BENCH_SMOKE, modes++;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'S':
			o->seed = parse_seed(optarg);
			break;
		case 'F':
			o->file = optarg;
			break;
		default:
			if (optopt)
				die(EXIT_USAGE, "run: option '%s' needs a value", argv[optind - 1]);
			die(EXIT_USAGE, "run: unknown option '%s' (see syslab --help)", argv[optind - 1]);
		}
	}
	if (modes > 1)
		die(EXIT_USAGE, "run: choose one of --quick, --full");
	if (!*o->out)
		die(EXIT_USAGE, "run: --out needs a directory");
	for (int i = optind; i < argc; i++) {
		const struct experiment *x = exp_find(argv[i]);
		if (argv[i][0] == '-')
			die(EXIT_USAGE, "run: options go before experiment names: '%s'", argv[i]);
		if (!x)
			die(EXIT_USAGE, "run: no experiment '%s' (syslab list shows them)", argv[i]);
		for (int k = 0; k < o->nexps; k++)
			if (o->exps[k] == x)
				die(EXIT_USAGE, "run: '%s' is named twice", argv[i]);
		if (o->nexps >= 64)
			die(EXIT_USAGE, "run: too many experiments named");
		o->exps[o->nexps++] = x;
	}
	if (o->nexps == 0)
		for (int i = 0; i < exp_table_len && i < 64; i++)
			o->exps[o->nexps++] = exp_table[i];
	if (o->file)
		check_file(o);
}

/* mkdir -p, with a clear error when a part exists and is not a directory. */
static void make_dir(const char *path)
{
	char buf[PATH_MAX];
	struct stat st;
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
		die(1, "%s: path too long", path);
	for (char *p = buf + 1;; p++) {
		char saved = *p;
		if (saved != '/' && saved != 0)
			continue;
		*p = 0;
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			die(1, "cannot create %s: %s", buf, strerror(errno));
		if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
			die(1, "cannot create %s: it exists and is not a directory", buf);
		*p = saved;
		if (!saved)
			break;
	}
}

/* "syslab run ARGS...": the command line as results.json records it. */
static char *join_args(int argc, char **argv)
{
	size_t len = sizeof "syslab run";
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = malloc(len);
	if (!s)
		return NULL;
	strcpy(s, "syslab run");
	for (int i = 0; i < argc; i++) {
		strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static int run_experiments(const struct run_opts *o, struct machine *m, json_t *doc)
{
	int failures = 0;
	bool tty = isatty(STDERR_FILENO);
	for (int i = 0; i < o->nexps; i++) {
		struct exp e = {.topo = &m->topo,
				.cond = &m->cond,
				.clk = &m->clk,
				.mode = o->mode,
				.seed = o->seed,
				.file = o->file,
				.progress = tty};
		bench_budget_preset(&e.budget, o->mode);
		if (exp_begin(&e, o->exps[i], doc) != 0)
			die(1, "out of memory");
		if (tty)
			fprintf(stderr, "running %s ...\n", o->exps[i]->name);
		uint64_t t0 = clock_now_ns();
		int rc = o->exps[i]->run(&e);
		if (rc) {
			fprintf(stderr, "syslab: %s: %s\n", o->exps[i]->name, strerror(-rc));
			results_add_text(e.node, "notes", "the experiment stopped with an error");
			failures++;
		}
		exp_end(&e, (clock_now_ns() - t0) / 1e9);
	}
	return failures;
}

static int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	char path[PATH_MAX], err[512];
	parse_run(argc, argv, &o);
	make_dir(o.out);

	uint64_t t0 = clock_now_ns();
	struct machine *m = machine_read(o.mode == BENCH_SMOKE ? 20 : 100);
	char *cmd = join_args(argc - 1, argv + 1);
	json_t *doc = results_new(bench_mode_name(o.mode), o.seed, cmd);
	free(cmd);
	if (!doc)
		die(1, "out of memory");
	json_object_set_new(doc, "env", results_env(&m->topo, &m->cond, &m->clk, &m->perf));
	int failures = run_experiments(&o, m, doc);
	json_object_set_new(doc, "duration_s", json_real((clock_now_ns() - t0) / 1e9));

	snprintf(path, sizeof path, "%s/results.json", o.out);
	if (results_write(doc, path, err, sizeof err))
		die(1, "%s", err);
	summary_print(stdout, doc);
	printf("\nwrote %s", path);
	snprintf(path, sizeof path, "%s/report.html", o.out);
	if (report_write_html(doc, path, err, sizeof err))
		die(1, "report: %s", err);
	printf(" and %s\n", path);
	json_decref(doc);
	free(m);
	return failures ? 1 : 0;
}

static int cmd_show(int argc, char **argv)
{
	json_t *doc;
	char err[512];
	if (argc != 1)
		die(EXIT_USAGE, "show: takes one results file");
	if (results_load(argv[0], &doc, err, sizeof err))
		die(1, "%s", err);
	summary_print(stdout, doc);
	json_decref(doc);
	return 0;
}

static int cmd_report(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	char path[PATH_MAX], err[512];
	json_t *doc;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1])
			die(EXIT_USAGE, "report: unknown option '%s'", argv[i]);
		else if (!in)
			in = argv[i];
		else
			die(EXIT_USAGE, "report: takes one results file");
	}
	if (!in)
		die(EXIT_USAGE, "report: takes one results file");
	if (!out) {
		const char *slash = strrchr(in, '/');
		snprintf(path, sizeof path, "%.*sreport.html", slash ? (int)(slash - in + 1) : 0, in);
		out = path;
	}
	if (results_load(in, &doc, err, sizeof err))
		die(1, "%s", err);
	if (report_write_html(doc, out, err, sizeof err))
		die(1, "report: %s", err);
	printf("wrote %s\n", out);
	json_decref(doc);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
		int args_from; /* 1: argv after the command; 0: with the command as argv[0] (getopt) */
	} commands[] = {
		{"list", cmd_list, 1}, {"env", cmd_env, 1},         {"run", cmd_run, 0},
		{"show", cmd_show, 1}, {"compare", cmd_compare, 1}, {"report", cmd_report, 1},
	};
	if (argc < 2)
		die(EXIT_USAGE, "no command given (see syslab --help)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("syslab %s\n", SYSLAB_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		for (int a = 2; a < argc; a++)
			if (strcmp(argv[a], "--help") == 0) {
				fputs(usage_text, stdout);
				return 0;
			}
		return commands[i].args_from ? commands[i].fn(argc - 2, argv + 2)
					     : commands[i].fn(argc - 1, argv + 1);
	}
	die(EXIT_USAGE, "unknown command '%s' (see syslab --help)", argv[1]);
}
