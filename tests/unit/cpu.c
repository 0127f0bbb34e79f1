/* SPDX-License-Identifier: MIT */
/* Unit tests of cpu: topology and conditions against fixture trees, list parsing, and pinning on this
 * machine. */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "syslab/cpu.h"
#include "tap.h"

static struct cpu_topology topo; /* about 1 MiB: static, not on the stack */
static struct cpu_conditions cond;
static char fixtures[PATH_MAX];

/* Fixture paths are relative to the repository root, or to $SYSLAB_SRC when it is set. */
static const char *fixture(char *buf, size_t len, const char *name, const char *sub)
{
	if (snprintf(buf, len, "%s/%s%s", fixtures, name, sub) >= (int)len)
		skip_all("fixture path too long: %s", fixtures);
	return buf;
}

static int read_topo(const char *name)
{
	char root[PATH_MAX];

	return cpu_topology_read(&topo, fixture(root, sizeof(root), name, "/sys/devices/system/cpu"));
}

static int read_cond(const char *name)
{
	char sys[PATH_MAX], proc[PATH_MAX];

	return cpu_conditions_read(&cond, fixture(sys, sizeof(sys), name, "/sys"),
				   fixture(proc, sizeof(proc), name, "/proc"));
}

static const struct cpu_cache *find_cache(const struct cpu_info *c, int level, const char *type)
{
	for (int i = 0; c && i < c->ncaches; i++)
		if (c->caches[i].level == level && strcmp(c->caches[i].type, type) == 0)
			return &c->caches[i];
	return NULL;
}

static bool is_sibling(const struct cpu_info *c, int id)
{
	for (int i = 0; i < c->nsiblings; i++)
		if (c->siblings[i] == id)
			return true;
	return false;
}

static void test_list_parse(void)
{
	int ids[16], n;

	n = cpu_list_parse("0-3,8,10-11\n", ids, 16);
	is_int(n, 7, "list: 0-3,8,10-11 has 7 CPUs");
	ok(ids[0] == 0 && ids[3] == 3 && ids[4] == 8 && ids[5] == 10 && ids[6] == 11, "list: ids in order");
	is_int(cpu_list_parse("5", ids, 16), 1, "list: a single CPU");
	is_int(ids[0], 5, "list: single id");
	is_int(cpu_list_parse("", ids, 16), 0, "list: empty string is the empty list");
	is_int(cpu_list_parse("\n", ids, 16), 0, "list: a lone newline is the empty list");
	is_int(cpu_list_parse("0-15", ids, 16), 16, "list: exactly max");
	is_int(cpu_list_parse("0-16", ids, 16), -E2BIG, "list: one more than max is -E2BIG");
	is_int(cpu_list_parse("0-2000000000", ids, 16), -E2BIG, "list: a huge range is -E2BIG, quickly");

	static const char *const bad[] = {"garbage", "3-1",         "-1",    "1,-2", "1,,2", "1,",
					  ",1",      "1-",          "1-2-3", "0x3",  " 1",   "1 2",
					  "1\n2",    "99999999999", "0-3:2", "1;2"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char shown[32];
		snprintf(shown, sizeof(shown), "%s", bad[i]);
		for (char *p = shown; *p; p++)
			if (*p == '\n')
				*p = '|'; /* a newline would break the TAP line */
		is_int(cpu_list_parse(bad[i], ids, 16), -EINVAL, "list: '%s' is -EINVAL", shown);
	}
	is_int(cpu_list_parse(NULL, ids, 16), -EINVAL, "list: NULL is -EINVAL");
}

static void test_size_format(void)
{
	char buf[32];

	cpu_size_format(32768, buf, sizeof(buf));
	is_str(buf, "32K", "size: 32768 -> 32K");
	cpu_size_format(1 << 20, buf, sizeof(buf));
	is_str(buf, "1M", "size: 1 MiB -> 1M");
	cpu_size_format(48 << 10, buf, sizeof(buf));
	is_str(buf, "48K", "size: 48K");
	cpu_size_format(3L << 30, buf, sizeof(buf));
	is_str(buf, "3G", "size: 3G");
	cpu_size_format(1536 << 10, buf, sizeof(buf));
	is_str(buf, "1536K", "size: 1.5 MiB -> 1536K");
	cpu_size_format(1000, buf, sizeof(buf));
	is_str(buf, "1000", "size: not a KiB multiple -> bytes");
	cpu_size_format(0, buf, sizeof(buf));
	is_str(buf, "0", "size: 0");
	cpu_size_format(1 << 20, buf, 2);
	is_str(buf, "1", "size: truncated to the buffer");
}

static void test_2s_smt_topology(void)
{
	const struct cpu_info *c3, *c0;
	const struct cpu_cache *k;
	bool seen[CPU_MAX] = {false};
	int a, b, distinct = 0;

	is_int(read_topo("sysfs-2s-smt"), 0, "2s: topology read");
	is_int(topo.ncpus, 16, "2s: 16 CPUs");
	is_int(topo.ncores, 8, "2s: 8 cores");
	is_int(topo.npackages, 2, "2s: 2 packages");
	is_int(topo.nnodes, 2, "2s: 2 NUMA nodes");
	ok(topo.smt, "2s: SMT");
	ok(!topo.truncated, "2s: not truncated");
	is_int(topo.line_size, 64, "2s: line size 64");

	c3 = cpu_find(&topo, 3);
	ok(c3 != NULL, "2s: cpu3 found");
	ok(cpu_find(&topo, 16) == NULL && cpu_find(&topo, -1) == NULL, "2s: no cpu16 or cpu-1");
	if (c3) {
		is_int(c3->nsiblings, 2, "2s: cpu3 has 2 siblings");
		ok(c3->siblings[0] == 3 && c3->siblings[1] == 11, "2s: cpu3 siblings are {3,11}");
		is_int(c3->package, 0, "2s: cpu3 on package 0");
		is_int(c3->node, 0, "2s: cpu3 on node 0");
		is_int(c3->core, 3, "2s: cpu3 core_id 3");
		is_int(c3->die, 0, "2s: cpu3 die 0");
		ok(c3->online, "2s: cpu3 online");
	}
	is_int(cpu_find(&topo, 12)->package, 1, "2s: cpu12 on package 1");
	is_int(cpu_find(&topo, 12)->node, 1, "2s: cpu12 on node 1");

	for (int i = 0; i < topo.ncpus; i++) {
		const struct cpu_info *c = &topo.cpus[i];
		bool share = true;
		for (int s = 0; s < c->nsiblings; s++)
			share &= cpu_find(&topo, c->siblings[s])->core_index == c->core_index;
		ok(share && c->nsiblings == 2, "2s: cpu%d shares core_index %d with its siblings", c->id,
		   c->core_index);
		if (c->core_index >= 0 && c->core_index < CPU_MAX && !seen[c->core_index]) {
			seen[c->core_index] = true;
			distinct++;
		}
	}
	is_int(distinct, 8, "2s: 8 distinct core indices");
	ok(cpu_find(&topo, 4)->core_index != cpu_find(&topo, 0)->core_index,
	   "2s: core_id 0 of package 1 is not core_id 0 of package 0");
	is_int(cpu_find(&topo, 0)->core_index, 0, "2s: core_index ordered by lowest CPU (cpu0)");
	is_int(cpu_find(&topo, 7)->core_index, 7, "2s: core_index ordered by lowest CPU (cpu7)");

	c0 = cpu_find(&topo, 0);
	is_int(c0->ncaches, 4, "2s: 4 caches");
	k = find_cache(c0, 1, "Data");
	ok(k && k->size == 48 * 1024 && k->line_size == 64 && k->ways == 12,
	   "2s: L1d 48K, 64 B lines, 12 ways");
	k = find_cache(c0, 1, "Instruction");
	ok(k && k->size == 32 * 1024, "2s: L1i 32K");
	k = find_cache(c0, 2, "Unified");
	ok(k && k->size == 2048 * 1024 && strcmp(k->shared_cpus, "0,8") == 0, "2s: L2 2048K shared by 0,8");
	k = find_cache(c0, 3, "Unified");
	ok(k && k->size == 16L << 20 && strcmp(k->shared_cpus, "0-3,8-11") == 0,
	   "2s: L3 16M shared by package 0");
	ok(c0->caches[0].level == 1 && c0->caches[2].level == 2 && c0->caches[3].level == 3,
	   "2s: caches in index order");

	is_int(cpu_pick_pair(&topo, CPU_PAIR_SAME, &a, &b), 0, "2s: SAME pair");
	ok(a == 0 && b == 0, "2s: SAME is cpu0 twice (%d,%d)", a, b);
	is_int(cpu_pick_pair(&topo, CPU_PAIR_CORES, &a, &b), 0, "2s: CORES pair");
	ok(a == 0 && b == 1, "2s: CORES is (0,1), got (%d,%d)", a, b);
	ok(cpu_find(&topo, a)->core_index != cpu_find(&topo, b)->core_index &&
		   cpu_find(&topo, a)->package == cpu_find(&topo, b)->package &&
		   !is_sibling(cpu_find(&topo, a), b),
	   "2s: CORES on distinct cores of one package, not siblings");
	is_int(cpu_pick_pair(&topo, CPU_PAIR_SMT, &a, &b), 0, "2s: SMT pair");
	ok(a == 0 && b == 8 && is_sibling(cpu_find(&topo, a), b),
	   "2s: SMT pair (0,8) are siblings, got (%d,%d)", a, b);
	is_int(cpu_pick_pair(&topo, CPU_PAIR_SOCKETS, &a, &b), 0, "2s: SOCKETS pair");
	ok(a == 0 && b == 4 && cpu_find(&topo, a)->package != cpu_find(&topo, b)->package,
	   "2s: SOCKETS pair (0,4) across packages, got (%d,%d)", a, b);
	is_int(cpu_pick_pair(&topo, (enum cpu_pair)42, &a, &b), -EINVAL, "2s: unknown pair kind is -EINVAL");

	int o[16], n = cpu_others(&topo, 0, o, 16);
	is_int(n, 14, "2s: 14 CPUs share no core with cpu0");
	ok(n == 14 && o[0] == 1 && o[1] == 2 && o[2] == 3 && o[3] == 9 && o[4] == 10 && o[5] == 11 &&
		   o[6] == 4 && o[13] == 15,
	   "2s: others of cpu0: its package first (1-3,9-11), then package 1 (4-7,12-15)");
	n = cpu_others(&topo, 0, o, 16);
	for (int i = 0; i < n; i++)
		if (o[i] == 0 || o[i] == 8)
			n = -1;
	ok(n == 14, "2s: neither cpu0 nor its sibling cpu8 is among them");
	n = cpu_others(&topo, 12, o, 3);
	ok(n == 3 && o[0] == 5 && o[1] == 6 && o[2] == 7,
	   "2s: at most max: others of cpu12 are 5,6,7 first (%d)", n);
	is_int(cpu_others(&topo, 99, o, 16), -EINVAL, "2s: others of a CPU that is not there is -EINVAL");
}

static void mask_of(struct cpu_affinity *m, const int *ids, int n)
{
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < n; i++)
		m->mask[ids[i] / 8] |= (unsigned char)(1u << (ids[i] % 8));
}

/* As under `taskset -c 2,3,10,11`: two cores of package 0 with their siblings. */
static void test_2s_smt_restricted(void)
{
	static const int ids[] = {2, 3, 10, 11};
	struct cpu_affinity m;
	int a, b;

	is_int(read_topo("sysfs-2s-smt"), 0, "restrict: topology read");
	is_int(topo.nallowed, 16, "restrict: every CPU allowed after reading");
	mask_of(&m, ids, 4);
	is_int(cpu_topology_restrict(&topo, &m), 4, "restrict: 4 CPUs allowed");
	ok(cpu_find(&topo, 2)->allowed && !cpu_find(&topo, 0)->allowed, "restrict: cpu2 allowed, cpu0 not");
	is_int(cpu_pick_pair(&topo, CPU_PAIR_SAME, &a, &b), 0, "restrict: SAME pair");
	ok(a == 2 && b == 2, "restrict: SAME is the first allowed CPU (%d,%d)", a, b);
	is_int(cpu_pick_pair(&topo, CPU_PAIR_CORES, &a, &b), 0, "restrict: CORES pair");
	ok(a == 2 && b == 3, "restrict: CORES pair within the mask (%d,%d)", a, b);
	is_int(cpu_pick_pair(&topo, CPU_PAIR_SMT, &a, &b), 0, "restrict: SMT pair");
	ok(a == 2 && b == 10, "restrict: SMT pair within the mask (%d,%d)", a, b);
	is_int(cpu_pick_pair(&topo, CPU_PAIR_SOCKETS, &a, &b), -ENOENT,
	       "restrict: no SOCKETS pair in one package");
	int o[4];
	ok(cpu_others(&topo, 2, o, 4) == 2 && o[0] == 3 && o[1] == 11,
	   "restrict: others of cpu2 are the allowed 3 and 11, not its sibling 10");
	static const int one[] = {5};
	mask_of(&m, one, 1);
	is_int(cpu_topology_restrict(&topo, &m), 1, "restrict: one CPU");
	is_int(cpu_pick_pair(&topo, CPU_PAIR_CORES, &a, &b), -ENOENT,
	       "restrict: no pair of cores on one CPU");
	static const int none[] = {100};
	mask_of(&m, none, 1);
	is_int(cpu_topology_restrict(&topo, &m), -ENOENT,
	       "restrict: a mask outside the machine allows nothing");
	is_int(cpu_pick_pair(&topo, CPU_PAIR_SAME, &a, &b), -ENOENT, "restrict: then not even SAME");
}

static void test_2s_smt_conditions(void)
{
	is_int(read_cond("sysfs-2s-smt"), 0, "2s: conditions read");
	is_str(cond.model, "Intel(R) Xeon(R) Gold 6434 CPU @ 3.70GHz", "2s: model name");
	is_str(cond.kernel, "6.1.0-18-amd64", "2s: kernel from the fixture's osrelease");
	ok(cond.arch[0] != '\0', "2s: arch from uname (%s)", cond.arch);
	is_str(cond.governor, "performance", "2s: governor");
	is_str(cond.driver, "acpi-cpufreq", "2s: driver");
	is_int(cond.boost, 1, "2s: boost on");
	is_str(cond.smt_control, "on", "2s: smt control");
	ok(cond.smt_active, "2s: smt active");
	is_str(cond.isolated, "2-3", "2s: isolated");
	is_str(cond.nohz_full, "2-3", "2s: nohz_full");
	is_str(cond.hypervisor, "", "2s: bare metal (a DMI vendor without the hypervisor flag)");
	ok(cond.tsc_invariant, "2s: invariant TSC");
	is_int(cond.nvulns, 4, "2s: 4 vulnerabilities");
	is_str(cond.vulns[0].name, "mds", "2s: vulnerabilities sorted (mds first)");
	is_str(cond.vulns[3].name, "spectre_v2", "2s: vulnerabilities sorted (spectre_v2 last)");
	is_str(cond.vulns[1].state, "Not affected", "2s: meltdown text");
	ok(strncmp(cond.vulns[3].state, "Mitigation: Enhanced / Automatic IBRS;", 38) == 0,
	   "2s: spectre_v2 text");
}

static void test_vm(void)
{
	int a, b;

	is_int(read_topo("sysfs-vm-1s"), 0, "vm: topology read");
	is_int(topo.ncpus, 2, "vm: 2 CPUs");
	is_int(topo.ncores, 2, "vm: 2 cores");
	is_int(topo.npackages, 1, "vm: 1 package");
	is_int(topo.nnodes, 1, "vm: 1 node");
	ok(!topo.smt, "vm: no SMT");
	is_int(topo.cpus[1].nsiblings, 1, "vm: cpu1 is its own only sibling");
	is_int(topo.cpus[0].caches[3].size, 32L << 20, "vm: L3 32768K");
	is_int(cpu_pick_pair(&topo, CPU_PAIR_SAME, &a, &b), 0, "vm: SAME pair");
	is_int(cpu_pick_pair(&topo, CPU_PAIR_CORES, &a, &b), 0, "vm: CORES pair");
	ok(a == 0 && b == 1, "vm: CORES is (0,1)");
	is_int(cpu_pick_pair(&topo, CPU_PAIR_SMT, &a, &b), -ENOENT, "vm: no SMT pair");
	is_int(cpu_pick_pair(&topo, CPU_PAIR_SOCKETS, &a, &b), -ENOENT, "vm: no SOCKETS pair");
	int o[4];
	ok(cpu_others(&topo, 0, o, 4) == 1 && o[0] == 1, "vm: the other of cpu0 is cpu1");
	ok(cpu_others(&topo, 1, o, 0) == 0, "vm: max 0 gives none");

	is_int(read_cond("sysfs-vm-1s"), 0, "vm: conditions read");
	is_str(cond.model, "AMD EPYC", "vm: model");
	is_str(cond.hypervisor, "kvm", "vm: hypervisor kvm from DMI QEMU");
	is_str(cond.governor, "", "vm: no cpufreq, no governor");
	is_str(cond.driver, "", "vm: no driver");
	is_int(cond.boost, -1, "vm: boost unknown");
	is_str(cond.smt_control, "notsupported", "vm: smt notsupported");
	ok(!cond.smt_active, "vm: smt inactive");
	is_str(cond.isolated, "", "vm: empty isolated");
	is_str(cond.nohz_full, "", "vm: no nohz_full file");
	ok(cond.tsc_invariant, "vm: invariant TSC");
	is_int(cond.nvulns, 2, "vm: 2 vulnerabilities");
}

static void test_offline_garbage(void)
{
	const struct cpu_info *c;
	int a, b;

	is_int(read_topo("sysfs-offline-garbage"), 0, "offline: topology read");
	is_int(topo.ncpus, 5, "offline: 5 online CPUs");
	ok(cpu_find(&topo, 3) == NULL, "offline: cpu3 absent");
	is_int(topo.ncores, 3, "offline: 3 cores");
	is_int(topo.npackages, 1, "offline: 1 package (an empty package id reads as 0)");
	is_int(topo.nnodes, 1, "offline: no node entries still means one node");
	is_int(topo.cpus[0].node, -1, "offline: node unknown");
	ok(topo.smt, "offline: SMT");
	c = cpu_find(&topo, 0);
	ok(c->nsiblings == 1 && c->siblings[0] == 0, "offline: cpu0's offline sibling cpu3 is dropped");
	c = cpu_find(&topo, 4);
	is_int(c->core_index, cpu_find(&topo, 1)->core_index,
	       "offline: cpu4 (core_id garbage) joins cpu1's core");
	is_int(c->core, 1, "offline: cpu4 takes its sibling's core_id");
	c = cpu_find(&topo, 2);
	ok(c->nsiblings == 2 && c->siblings[1] == 5, "offline: cpu2 siblings from core_cpus_list");
	is_int(cpu_find(&topo, 5)->ncaches, 2, "offline: cpu5's cache with a garbage size is skipped");
	is_int(cpu_find(&topo, 1)->ncaches, 2, "offline: cpu1's cache without a level is skipped");
	is_int(cpu_find(&topo, 0)->ncaches, 3, "offline: cpu0 keeps its 3 caches");
	is_int(cpu_find(&topo, 0)->die, 0, "offline: no die_id reads as 0");
	is_int(topo.line_size, 64, "offline: line size");
	is_int(cpu_pick_pair(&topo, CPU_PAIR_SMT, &a, &b), 0, "offline: SMT pair");
	ok(a == 1 && b == 4, "offline: SMT pair (1,4), got (%d,%d)", a, b);
	is_int(cpu_pick_pair(&topo, CPU_PAIR_CORES, &a, &b), 0, "offline: CORES pair");
	ok(a == 0 && b == 1, "offline: CORES pair (0,1), got (%d,%d)", a, b);
	is_int(cpu_pick_pair(&topo, CPU_PAIR_SOCKETS, &a, &b), -ENOENT, "offline: no SOCKETS pair");

	is_int(read_cond("sysfs-offline-garbage"), 0, "offline: conditions read");
	is_str(cond.model, "Fixture Board", "offline: model from Hardware");
	is_str(cond.kernel, "", "offline: no osrelease, no kernel");
	is_str(cond.governor, "schedutil", "offline: governor");
	is_str(cond.driver, "", "offline: no driver");
	is_int(cond.boost, 0, "offline: garbage boost falls back to no_turbo=1 -> 0");
	is_str(cond.isolated, "", "offline: isolated (null)");
	is_str(cond.nohz_full, "", "offline: nohz_full (null)");
	is_str(cond.hypervisor, "unknown", "offline: hypervisor flag without DMI -> unknown");
	ok(!cond.tsc_invariant, "offline: constant_tsc without nonstop_tsc is not invariant");
	is_int(cond.nvulns, 3, "offline: 3 vulnerabilities");
	is_str(cond.vulns[0].name, "empty_one", "offline: empty vulnerability file listed");
	is_str(cond.vulns[0].state, "", "offline: its text is empty");
	is_int(strlen(cond.vulns[2].state), sizeof(cond.vulns[2].state) - 1, "offline: long text truncated");
}

static void test_missing(void)
{
	is_int(cpu_topology_read(&topo, "/nonexistent/syslab"), -ENOENT, "missing root is -ENOENT");
	is_int(cpu_conditions_read(&cond, "/nonexistent/sys", "/nonexistent/proc"), 0,
	       "missing conditions roots still read");
	is_str(cond.model, "", "missing: model unknown");
	is_int(cond.boost, -1, "missing: boost unknown");
	is_str(cond.hypervisor, "", "missing: no flags, no hypervisor");
	is_int(cpu_topology_read(&topo, "/dev/null"), -ENOTDIR, "a file as root is -ENOTDIR");
}

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -1;
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* A tree without a usable online file: CPUs come from the cpuN directories and their online files. */
static void test_dir_fallback(void)
{
	char dir[] = "/tmp/syslab-cpu-XXXXXX", sub[PATH_MAX + 16];
	static const char *const dirs[] = {"cpu0", "cpu1", "cpu2", "cpu10", "cpufreq", "cpuidle", "cpu1x"};

	if (!mkdtemp(dir)) {
		diag("mkdtemp: %s; skipping the fallback test", strerror(errno));
		return;
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(sub, sizeof(sub), "%s/%s", dir, dirs[i]);
		mkdir(sub, 0755);
	}
	write_file(dir, "online", "");
	write_file(dir, "cpu1/online", "1\n");
	write_file(dir, "cpu2/online", "0\n");
	is_int(cpu_topology_read(&topo, dir), 0, "fallback: topology read without an online list");
	is_int(topo.ncpus, 3, "fallback: cpu0, cpu1 and cpu10 (cpu2 is offline)");
	ok(topo.cpus[0].id == 0 && topo.cpus[1].id == 1 && topo.cpus[2].id == 10, "fallback: ascending ids");
	is_int(topo.ncores, 3, "fallback: no core_id -> a core each");
	ok(!topo.smt, "fallback: no SMT");
	is_int(topo.line_size, 64, "fallback: line size defaults to 64");
	write_file(dir, "online", "0-1999\n");
	is_int(cpu_topology_read(&topo, dir), 0, "truncated: topology read");
	ok(topo.truncated, "truncated: 2000 online CPUs are more than CPU_MAX");
	is_int(topo.ncpus, 4, "truncated: only CPUs with a directory are kept (0, 1, 2, 10)");
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* The CPUs the test may run on: online and in the starting affinity mask (cgroups may narrow it). */
static bool in_mask(const struct cpu_affinity *a, int cpu)
{
	return cpu >= 0 && cpu < CPU_MAX && (a->mask[cpu / 8] & (1u << (cpu % 8)));
}

static void test_live(void)
{
	struct cpu_affinity saved, now;
	int a, b, top = -1;

	is_int(cpu_topology_read(&topo, "/sys/devices/system/cpu"), 0, "live: topology read");
	is_int(topo.ncpus, sysconf(_SC_NPROCESSORS_ONLN), "live: ncpus is the online count");
	ok(topo.ncores >= 1 && topo.npackages >= 1 && topo.nnodes >= 1,
	   "live: %d cores, %d packages, %d nodes", topo.ncores, topo.npackages, topo.nnodes);
	ok(topo.line_size >= 16 && topo.line_size <= 512, "live: line size %d", topo.line_size);
	is_int(cpu_pick_pair(&topo, CPU_PAIR_SAME, &a, &b), 0, "live: SAME pair");
	is_int(cpu_affinity_save(&saved), 0, "live: affinity saved");
	for (int i = 0; i < topo.ncpus; i++) {
		int id = topo.cpus[i].id;
		if (id > top)
			top = id;
		if (!in_mask(&saved, id)) {
			diag("cpu%d is outside this process's affinity mask; not pinned", id);
			continue;
		}
		is_int(cpu_pin_self(id), 0, "live: pin to cpu%d", id);
		is_int(sched_getcpu(), id, "live: running on cpu%d", id);
	}
	is_int(cpu_pin_self(CPU_MAX + 5), -EINVAL, "live: pinning CPU_MAX+5 is -EINVAL");
	is_int(cpu_pin_self(-1), -EINVAL, "live: pinning -1 is -EINVAL");
	if (top + 1 < CPU_MAX && !cpu_find(&topo, top + 1))
		is_int(cpu_pin_self(top + 1), -EINVAL, "live: pinning absent cpu%d is -EINVAL", top + 1);
	is_int(cpu_affinity_restore(&saved), 0, "live: affinity restored");
	is_int(cpu_affinity_save(&now), 0, "live: affinity saved again");
	ok(memcmp(saved.mask, now.mask, sizeof(now.mask)) == 0, "live: affinity round-trips");

	is_int(cpu_conditions_read(&cond, "/sys", "/proc"), 0, "live: conditions read");
	ok(cond.kernel[0] != '\0' && cond.arch[0] != '\0', "live: kernel %s, arch %s", cond.kernel,
	   cond.arch);
	diag("live: model '%s', governor '%s', boost %d, smt '%s', hypervisor '%s', tsc_invariant %d, %d "
	     "vulns",
	     cond.model, cond.governor, cond.boost, cond.smt_control, cond.hypervisor, cond.tsc_invariant,
	     cond.nvulns);
}

int main(void)
{
	const char *src = getenv("SYSLAB_SRC");

	if (snprintf(fixtures, sizeof(fixtures), "%s/tests/fixtures", src && *src ? src : ".") >=
	    (int)sizeof(fixtures))
		skip_all("SYSLAB_SRC is too long");
	test_list_parse();
	test_size_format();
	/* A missing fixture tree is a broken checkout, not a missing feature: fail, don't skip. */
	if (ok(access(fixtures, F_OK) == 0, "fixtures at %s (run from the repository root or set SYSLAB_SRC)",
	       fixtures)) {
		test_2s_smt_topology();
		test_2s_smt_conditions();
		test_2s_smt_restricted();
		test_vm();
		test_offline_garbage();
	}
	test_missing();
	test_dir_fallback();
	test_live();
	return done_testing();
}
