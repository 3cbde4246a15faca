/*
 * ocprobe - ask a real kernel where its overcommit boundary is.
 *
 * Usage: ocprobe MODE root|user [BALLAST_MIB] [search|predict]
 *
 * Sets vm.overcommit_memory to MODE for the length of the probe (and puts the
 * old value back at the end), then finds the largest private writable
 * anonymous mmap the kernel admits, in pages:
 *   search  - binary search to the page (for a quiet guest);
 *   predict - two trials only, at the boundary predicted from the inputs just
 *             read and one page above it (for a live host, where a success at
 *             the limit leaves other processes no headroom for a moment).
 * It prints every input the kernel's rule uses (kernel: mm/util.c
 * __vm_enough_memory(), vm_commit_limit()) as key=value lines between
 * "ocprobe begin" and "ocprobe end".
 *
 * In mode 2 the kernel compares an approximate per-CPU counter; writing 2 to
 * vm.overcommit_memory folds every CPU's delta into it, so the probe writes it
 * again just before reading Committed_AS and before each trial.
 *
 * "user" runs the trials with effective uid 65534 and no effective
 * capabilities (setresuid(65534, 65534, 0)); the saved uid 0 lets the probe
 * become root again for the sysctl writes only (procfs checks the euid on
 * every write). The kernel's CAP_SYS_ADMIN test reads the effective set, which
 * is printed (cap_sys_admin=) as seen at the moment of the final trials.
 *
 * BALLAST_MIB maps that much PROT_NONE private memory first: it is not
 * charged to Committed_AS but grows total_vm, so the user reserve term
 * min(total_vm/32, user_reserve_kbytes/4) becomes visible.
 *
 * No malloc after start-up: stdout has a static buffer, files are read with
 * read(2) into stack buffers, so total_vm does not move between the reading
 * and the trial.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096UL
#define CAP_SYS_ADMIN_BIT 21

static char outbuf[1 << 16];
static uid_t run_euid;

static void die(const char *what)
{
	fprintf(stdout, "ocprobe error: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

static size_t slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		die(path);
	while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return n;
}

/* Value after "key" at the start of a line ("Key:   123 kB" or "Key:\t..."). */
static unsigned long field(const char *path, const char *key, int base)
{
	char buf[8192];
	size_t klen = strlen(key);
	const char *p;

	slurp(path, buf, sizeof(buf));
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':')
			return strtoul(p + klen + 1, NULL, base);
	}
	fprintf(stdout, "ocprobe error: %s: no %s\n", path, key);
	exit(1);
}

static unsigned long meminfo(const char *key)
{
	return field("/proc/meminfo", key, 10);
}

static long vm_read(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), "/proc/sys/vm/%s", name);
	slurp(path, buf, sizeof(buf));
	return strtol(buf, NULL, 10);
}

static void vm_write(const char *name, long value)
{
	char path[128], buf[32];
	int fd, len;

	if (run_euid != 0 && seteuid(0) != 0)
		die("seteuid(0)");
	snprintf(path, sizeof(path), "/proc/sys/vm/%s", name);
	len = snprintf(buf, sizeof(buf), "%ld\n", value);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, buf, (size_t)len) != len)
		die(path);
	close(fd);
	if (run_euid != 0 && seteuid(run_euid) != 0)
		die("seteuid(run)");
}

/* Fold the per-CPU commit counts (the kernel does it on a write of 2). */
static void sync_committed(long mode)
{
	if (mode == 2)
		vm_write("overcommit_memory", 2);
}

/* 1 if the kernel admits a private writable anonymous mmap of @pages. */
static int try_map(unsigned long pages)
{
	void *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		if (errno != ENOMEM)
			die("mmap");
		return 0;
	}
	if (munmap(p, pages * PAGE) != 0)
		die("munmap");
	return 1;
}

static int trial(long mode, unsigned long pages)
{
	sync_committed(mode);
	return try_map(pages);
}

static int has_cap_sys_admin(void)
{
	unsigned long eff = field("/proc/self/status", "CapEff", 16);

	return (int)((eff >> CAP_SYS_ADMIN_BIT) & 1);
}

/* Largest admitted size in [lo, hi): lo is admitted (or 0), hi is refused. */
static unsigned long bisect(long mode, unsigned long hi)
{
	unsigned long lo = 0, mid;

	while (trial(mode, hi))
		hi *= 2;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (trial(mode, mid))
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The inputs of the kernel's rule, read now (after a sync in mode 2). */
static void print_inputs(long mode)
{
	sync_committed(mode);
	printf("Committed_AS_kB=%lu\n", meminfo("Committed_AS"));
	printf("VmSize_kB=%lu\n", field("/proc/self/status", "VmSize", 10));
	printf("cap_sys_admin=%d\n", has_cap_sys_admin());
	printf("MemTotal_kB=%lu\n", meminfo("MemTotal"));
	printf("CommitLimit_kB=%lu\n", meminfo("CommitLimit"));
	printf("SwapTotal_kB=%lu\n", meminfo("SwapTotal"));
	printf("Hugetlb_kB=%lu\n", meminfo("Hugetlb"));
	printf("overcommit_ratio=%ld\n", vm_read("overcommit_ratio"));
	printf("overcommit_kbytes=%ld\n", vm_read("overcommit_kbytes"));
	printf("admin_reserve_kbytes=%ld\n", vm_read("admin_reserve_kbytes"));
	printf("user_reserve_kbytes=%ld\n", vm_read("user_reserve_kbytes"));
}

/*
 * The boundary the inputs predict, used by "predict" only to place its two
 * trials; the verdicts printed are the kernel's.
 */
static unsigned long predict(long mode)
{
	unsigned long total = meminfo("MemTotal") / 4, swap = meminfo("SwapTotal") / 4;
	unsigned long allowed, committed, total_vm, user;

	if (mode != 2)
		return total + swap;
	sync_committed(mode);
	committed = meminfo("Committed_AS") / 4;
	total_vm = field("/proc/self/status", "VmSize", 10) / 4;
	allowed = meminfo("CommitLimit") / 4;
	if (!has_cap_sys_admin())
		allowed -= (unsigned long)vm_read("admin_reserve_kbytes") / 4;
	user = (unsigned long)vm_read("user_reserve_kbytes") / 4;
	allowed -= total_vm / 32 < user ? total_vm / 32 : user;
	return allowed - committed - 1;
}

static void become(const char *who)
{
	if (strcmp(who, "user") == 0) {
		if (setresuid(65534, 65534, 0) != 0)
			die("setresuid");
		run_euid = 65534;
	} else if (strcmp(who, "root") != 0) {
		fprintf(stdout, "ocprobe error: who must be root or user\n");
		exit(2);
	}
}

static void probe(long mode, const char *method)
{
	unsigned long n, start = 2 * (meminfo("MemTotal") + meminfo("SwapTotal")) / 4 + 16;
	int ok, next;

	if (strcmp(method, "predict") == 0)
		n = predict(mode);
	else
		n = bisect(mode, start);
	print_inputs(mode);
	ok = trial(mode, n);
	next = trial(mode, n + 1);
	printf("trial_pages=%lu\n", n);
	printf("trial_ok=%d\n", ok);
	printf("trial_next_ok=%d\n", next);
	if (ok && !next)
		printf("largest_ok_pages=%lu\n", n);
}

int main(int argc, char **argv)
{
	long mode, old_mode;
	unsigned long ballast;
	const char *method;
	char *end;

	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: ocprobe MODE root|user [BALLAST_MIB] [search|predict]\n");
		return 2;
	}
	mode = strtol(argv[1], NULL, 10);
	ballast = argc > 3 ? strtoul(argv[3], &end, 10) : 0;
	method = argc > 4 ? argv[4] : "search";
	if ((argc > 3 && *end) || (strcmp(method, "search") && strcmp(method, "predict"))) {
		fprintf(stderr, "ocprobe: bad BALLAST_MIB or method\n");
		return 2;
	}
	if (ballast && mmap(NULL, ballast << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0) == MAP_FAILED)
		die("ballast mmap");
	old_mode = vm_read("overcommit_memory");
	become(argv[2]);
	printf("ocprobe begin mode=%ld who=%s ballast_mib=%lu method=%s\n", mode, argv[2],
	       ballast, method);
	vm_write("overcommit_memory", mode);
	probe(mode, method);
	vm_write("overcommit_memory", old_mode);
	printf("ocprobe end\n");
	fflush(stdout);
	return 0;
}
