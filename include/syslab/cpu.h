/* SPDX-License-Identifier: MIT */
/* cpu: the machine's CPU topology, caches and the conditions that affect measurements. */
#ifndef SYSLAB_CPU_H
#define SYSLAB_CPU_H

#include <stdbool.h>
#include <stddef.h>

#define CPU_MAX       1024 /* CPUs we track; more are ignored (and counted in truncated) */
#define CPU_CACHE_MAX 8    /* cache levels/types per CPU (L1d, L1i, L2, L3, ...) */
#define CPU_VULN_MAX  32   /* entries of /sys/devices/system/cpu/vulnerabilities */

struct cpu_cache {
	int level;            /* 1, 2, 3 ... */
	char type[16];        /* "Data", "Instruction", "Unified" */
	long size;            /* bytes */
	int line_size;        /* coherency_line_size, bytes */
	int ways;             /* ways_of_associativity, 0 if unknown */
	char shared_cpus[64]; /* shared_cpu_list as the kernel writes it, e.g. "0-1,8-9" */
};

struct cpu_info {
	int id; /* logical CPU number */
	bool online;
	int package;     /* physical_package_id */
	int die;         /* die_id, 0 if absent */
	int core;        /* core_id (unique only within a package) */
	int node;        /* NUMA node, -1 if unknown */
	int core_index;  /* dense index of the physical core (package, die, core) across the machine */
	bool allowed;    /* this process may run on it (see cpu_topology_restrict); true after reading */
	int nsiblings;   /* CPUs sharing this core, including itself (1 without SMT) */
	int siblings[8]; /* their ids, ascending */
	int ncaches;
	struct cpu_cache caches[CPU_CACHE_MAX];
};

struct cpu_topology {
	int ncpus; /* entries in cpus[] (online ones only) */
	int npackages;
	int ncores; /* physical cores */
	int nnodes;
	bool smt;       /* some core has more than one online CPU */
	bool truncated; /* the machine had more than CPU_MAX CPUs */
	int nallowed;   /* CPUs this process may run on: all online ones until restricted */
	int line_size;  /* L1d coherency line size, 64 if unknown */
	struct cpu_info cpus[CPU_MAX];
};

/* The conditions under which results were taken. Strings are "" when unknown. */
struct cpu_conditions {
	char model[128];      /* /proc/cpuinfo "model name" (or "CPU part"/"uarch" elsewhere) */
	char kernel[128];     /* uname -r */
	char arch[32];        /* uname -m */
	char governor[32];    /* cpu0 scaling_governor, "" when there is no cpufreq */
	char driver[32];      /* cpu0 scaling_driver */
	int boost;            /* 1 on, 0 off, -1 unknown (cpufreq/boost or intel_pstate/no_turbo) */
	char smt_control[32]; /* /sys/devices/system/cpu/smt/control: on, off, notsupported ... */
	bool smt_active;      /* smt/active */
	char isolated[128];   /* isolated CPU list, "" if none */
	char nohz_full[128];  /* nohz_full CPU list, "" if none */
	char hypervisor[32];  /* "kvm", "xen", "vmware", "hyperv", ... or "" on bare metal */
	bool tsc_invariant;   /* constant_tsc and nonstop_tsc in /proc/cpuinfo flags */
	int nvulns;
	struct {
		char name[48];   /* e.g. "spectre_v2" */
		char state[160]; /* the kernel's text, e.g. "Mitigation: Retpolines; ..." */
	} vulns[CPU_VULN_MAX];
};

/*
 * Reads the topology below root (normally "/sys/devices/system/cpu"; tests pass a fixture
 * tree). Returns 0, or -errno when root cannot be read or holds no CPU. Never allocates.
 */
int cpu_topology_read(struct cpu_topology *t, const char *root);

/*
 * Reads the conditions. sys_root is the sysfs root ("/sys"), proc_root the procfs root
 * ("/proc"); tests pass fixture trees. Missing files leave fields unknown; returns 0.
 */
int cpu_conditions_read(struct cpu_conditions *c, const char *sys_root, const char *proc_root);

/* The topology entry of CPU id, or NULL. */
const struct cpu_info *cpu_find(const struct cpu_topology *t, int id);

/*
 * Picks two allowed CPUs for a placement. Returns 0 and sets *a, *b, or -ENOENT when the
 * machine (or its allowed part) has no such pair, e.g. no SMT. Prefers CPUs in the same
 * package and low-numbered CPUs.
 *   CPU_PAIR_SAME:    a == b
 *   CPU_PAIR_CORES:   different physical cores
 *   CPU_PAIR_SMT:     SMT siblings of one core
 *   CPU_PAIR_SOCKETS: different packages
 */
enum cpu_pair { CPU_PAIR_SAME, CPU_PAIR_CORES, CPU_PAIR_SMT, CPU_PAIR_SOCKETS };
int cpu_pick_pair(const struct cpu_topology *t, enum cpu_pair kind, int *a, int *b);

/*
 * The allowed CPUs that share no physical core with cpu (a server's, say), at most max of them in
 * out[]: those of cpu's package first, then the others, each group ascending. Returns the count
 * (0 when there is none), or -EINVAL.
 */
int cpu_others(const struct cpu_topology *t, int cpu, int *out, int max);

/*
 * Marks the CPUs outside mask (the process's affinity, as `taskset -c 2,3` or a cpuset leaves
 * it) as not allowed: cpu_pick_pair and the experiments then use only allowed CPUs. Returns the
 * number of allowed CPUs, or -ENOENT when none is.
 */
struct cpu_affinity;
int cpu_topology_restrict(struct cpu_topology *t, const struct cpu_affinity *mask);

/* Pins the calling thread to one CPU. Returns 0 or -errno (e.g. -EINVAL for an offline CPU). */
int cpu_pin_self(int cpu);

/* Saves / restores the calling thread's affinity mask, so a harness can pin and undo. */
struct cpu_affinity {
	unsigned char mask[CPU_MAX / 8];
};
int cpu_affinity_save(struct cpu_affinity *a);
int cpu_affinity_restore(const struct cpu_affinity *a);

/* Parses a kernel CPU list ("0-3,8,10-11") into ids[], at most max. Returns the count, -EINVAL
 * for malformed text, or -E2BIG for more than max CPUs. */
int cpu_list_parse(const char *s, int *ids, int max);

/* Formats bytes the way sysfs does for caches: "32K", "1M". */
void cpu_size_format(long bytes, char *buf, size_t len);

#endif
