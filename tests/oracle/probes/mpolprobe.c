/*
 * mpolprobe - where the kernel places pages under each NUMA memory policy
 * (2-node guest), and what the per-node NUMA counters say about it.
 *
 * Usage: mpolprobe
 *
 * Pins itself to CPU 0 (node 0 in the numa2 guest), then for each case maps
 * 64 private anonymous pages at a fixed address (so interleave, which goes by
 * virtual page number, is reproducible), sets the policy, writes one byte
 * per page, asks move_pages(2) where each page is, and prints one line:
 *   "mpol CASE pages=N nodes=STRING d0=H,M,F,I,L,O d1=H,M,F,I,L,O"
 * STRING has one digit per page (its node); dN are the deltas of node N's
 * numastat (numa_hit, numa_miss, numa_foreign, interleave_hit, local_node,
 * other_node) over the case, which include the kernel's own allocations
 * (page tables, the probe's stack) besides the 64 pages.
 * Then "spill": writes SPILL_MIB (240) of default-policy memory, a page at
 * a time, and prints how many pages each node got, with each node's free
 * pages before and the pages move_pages could not place ("mpol spill mib=M
 * node0=P node1=P free0=F free1=F unknown=N first_unknown=I status=S").
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NPAGES 64
#define PAGE 4096ul
#define BASE 0x7f0000000000ul
#define SPILL_MIB 240
#define MPOL_DEFAULT 0
#define MPOL_PREFERRED 1
#define MPOL_BIND 2
#define MPOL_INTERLEAVE 3
#define MPOL_LOCAL 4
#define MPOL_PREFERRED_MANY 5

static void read_numastat(int node, unsigned long v[6])
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/numastat", node);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	char *p = buf;
	for (int i = 0; i < 6; i++) {
		p = p ? strchr(p, ' ') : NULL;
		v[i] = p ? strtoul(p, &p, 10) : 0;
	}
}

static unsigned long node_free_kb(int node)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", node);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	char *p = strstr(buf, "MemFree:");
	return p ? strtoul(p + 8, NULL, 10) : 0;
}

static long sys_set_mempolicy(int mode, unsigned long mask)
{
	return syscall(SYS_set_mempolicy, mode, mode == MPOL_DEFAULT ? NULL : &mask, 65);
}

static long sys_mbind(void *addr, unsigned long len, int mode, unsigned long mask)
{
	return syscall(SYS_mbind, addr, len, mode, &mask, 65, 0);
}

/* The node of each page (move_pages with no target nodes only queries). */
static void where(char *base, unsigned long n, int *status)
{
	void *pages[1024];
	for (unsigned long i = 0; i < n; i += 1024) {
		unsigned long k = n - i < 1024 ? n - i : 1024;
		for (unsigned long j = 0; j < k; j++)
			pages[j] = base + (i + j) * PAGE;
		long rc = syscall(SYS_move_pages, 0, k, pages, NULL, status + i, 0);
		for (unsigned long j = 0; rc != 0 && j < k; j++)
			status[i + j] = -1000 - (int)(rc < 0 ? -rc : rc);
	}
}

/* One case: map, set the policy (task or VMA), touch, report. */
static void run_case(const char *name, int task_mode, int vma_mode,
		     unsigned long mask, unsigned long slot)
{
	unsigned long b0[6], b1[6], a0[6], a1[6];
	int status[NPAGES];
	char nodes[NPAGES + 1];
	char *p = mmap((void *)(BASE + slot * 0x100000), NPAGES * PAGE,
		       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED || sys_set_mempolicy(task_mode, mask) != 0 ||
	    (vma_mode >= 0 && sys_mbind(p, NPAGES * PAGE, vma_mode, mask) != 0)) {
		printf("mpol %s error\n", name);
		return;
	}
	read_numastat(0, b0);
	read_numastat(1, b1);
	for (int i = 0; i < NPAGES; i++)
		p[i * PAGE] = 1;
	read_numastat(0, a0);
	read_numastat(1, a1);
	sys_set_mempolicy(MPOL_DEFAULT, 0);
	where(p, NPAGES, status);
	for (int i = 0; i < NPAGES; i++)
		nodes[i] = status[i] >= 0 && status[i] < 10 ? (char)('0' + status[i]) : '?';
	nodes[NPAGES] = 0;
	printf("mpol %s pages=%d vpn0=%lu nodes=%s d0=%lu,%lu,%lu,%lu,%lu,%lu "
	       "d1=%lu,%lu,%lu,%lu,%lu,%lu\n", name, NPAGES,
	       (unsigned long)p / PAGE, nodes,
	       a0[0] - b0[0], a0[1] - b0[1], a0[2] - b0[2], a0[3] - b0[3],
	       a0[4] - b0[4], a0[5] - b0[5], a1[0] - b1[0], a1[1] - b1[1],
	       a1[2] - b1[2], a1[3] - b1[3], a1[4] - b1[4], a1[5] - b1[5]);
	fflush(stdout);
}

static void spill(void)
{
	unsigned long n = (unsigned long)SPILL_MIB << 8, count[2] = {0, 0};
	unsigned long f0 = node_free_kb(0) / 4, f1 = node_free_kb(1) / 4;
	char *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	int *status = malloc(n * sizeof(*status));
	if (p == MAP_FAILED || !status || madvise(p, n * PAGE, MADV_NOHUGEPAGE)) {
		printf("mpol spill error\n");
		return;
	}
	for (unsigned long i = 0; i < n; i++)
		p[i * PAGE] = 1;
	where(p, n, status);
	unsigned long other = 0, first_other = 0;
	int other_status = 0;
	for (unsigned long i = 0; i < n; i++) {
		if (status[i] == 0 || status[i] == 1) {
			count[status[i]]++;
		} else if (!other++) {
			first_other = i;
			other_status = status[i];
		}
	}
	printf("mpol spill mib=%d node0=%lu node1=%lu free0=%lu free1=%lu "
	       "unknown=%lu first_unknown=%lu status=%d\n", SPILL_MIB, count[0],
	       count[1], f0, f1, other, first_other, other_status);
}

int main(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		printf("mpol affinity error\n");
	setvbuf(stdout, NULL, _IOLBF, 0);
	run_case("default", MPOL_DEFAULT, -1, 0, 0);
	run_case("local", MPOL_LOCAL, -1, 0, 1);
	run_case("bind1", MPOL_BIND, -1, 2, 2);
	run_case("preferred1", MPOL_PREFERRED, -1, 2, 3);
	run_case("prefmany1", MPOL_PREFERRED_MANY, -1, 2, 4);
	run_case("interleave01", MPOL_INTERLEAVE, -1, 3, 5);
	run_case("mbind_interleave01", MPOL_DEFAULT, MPOL_INTERLEAVE, 3, 6);
	run_case("mbind_bind1", MPOL_DEFAULT, MPOL_BIND, 2, 7);
	spill();
	return 0;
}
