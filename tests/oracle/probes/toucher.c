/*
 * toucher - grow anonymous memory a chunk at a time, touching every page.
 *
 * Usage: toucher NAME OOM_SCORE_ADJ TARGET_MIB [STEP_MIB [HOLD_S]]
 *
 * Writes OOM_SCORE_ADJ to /proc/self/oom_score_adj, then maps and writes one
 * byte in every page of STEP_MIB (default 4) private anonymous chunks until
 * TARGET_MIB are touched, yielding the CPU after each chunk so that two
 * touchers started together grow side by side; then keeps the memory for
 * HOLD_S seconds (default 0) before exiting. Prints
 *   "toucher NAME pid=P adj=A start"
 *   "toucher NAME pid=P touched_mib=M"  after every chunk
 *   "toucher NAME pid=P done touched_mib=M"
 * each with one write(2), so lines from concurrent touchers do not mix.
 * A toucher the OOM killer kills simply stops printing: its last
 * touched_mib line is its size when killed (to within one chunk).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* One line "toucher NAME pid=P <fmt...>\n" in a single write(2). */
static void say(const char *name, const char *fmt, ...)
{
	char line[160];
	int len = snprintf(line, sizeof(line), "toucher %s pid=%ld ", name, (long)getpid());
	va_list ap;

	va_start(ap, fmt);
	len += vsnprintf(line + len, sizeof(line) - (size_t)len - 1, fmt, ap);
	va_end(ap);
	line[len++] = '\n';
	if (write(1, line, (size_t)len) != len)
		exit(1);
}

static void set_adj(const char *adj)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY);

	if (fd < 0 || write(fd, adj, strlen(adj)) < 0) {
		perror("toucher: oom_score_adj");
		exit(1);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	long target, step, done = 0;
	size_t off;
	char *p;

	if (argc < 4 || argc > 6) {
		fprintf(stderr, "usage: toucher NAME OOM_SCORE_ADJ TARGET_MIB [STEP_MIB [HOLD_S]]\n");
		return 2;
	}
	set_adj(argv[2]);
	target = strtol(argv[3], NULL, 10);
	step = argc > 4 ? strtol(argv[4], NULL, 10) : 4;
	say(argv[1], "adj=%ld start", strtol(argv[2], NULL, 10));
	while (done < target) {
		p = mmap(NULL, (size_t)step << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			say(argv[1], "mmap failed errno=%d at_mib=%ld", errno, done);
			return 1;
		}
		for (off = 0; off < ((size_t)step << 20); off += 4096)
			p[off] = 1;
		done += step;
		say(argv[1], "touched_mib=%ld", done);
		sched_yield();
	}
	say(argv[1], "done touched_mib=%ld", done);
	if (argc > 5)
		sleep((unsigned)strtoul(argv[5], NULL, 10));
	return 0;
}
