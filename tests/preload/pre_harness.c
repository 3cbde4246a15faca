/*
 * Test harness for the preload shim without the supervisor: it plays the
 * supervisor's ring side. It creates a ring, runs a program with
 * LD_PRELOAD=<shim> and TR_RING_ENV set, drains the ring while the program
 * runs, and checks what it read:
 *
 *   - nothing lost (hdr.lost_total == 0, no TR_EV_LOST events);
 *   - every allocator event's stack id was fully defined (all frames) by its
 *     process before the event;
 *   - fast-path kernel events of each process carry distinct non-zero mmseq
 *     numbers (the consumer orders by them; ring order may differ when a
 *     signal handler's call nests inside another);
 *   - options: --expect-malloc SIZE (a malloc of SIZE with a stack whose
 *     pointer was later freed), --expect-fastpath (fast-path mmap and munmap
 *     with successful results, file mappings with their inode),
 *     --expect-no-fastpath (no fast-path event at all),
 *     --expect-in-alloc (a kernel request tagged TR_F_IN_ALLOC),
 *     --expect-pids N (events from at least N processes), --max-stacks N
 *     (at most N distinct stacks defined: each is sent once), --expect-frame SYM
 *     (some stack contains an address inside function SYM of the program,
 *     which must be non-PIE; found with nm), --compare (the program's stdout
 *     and exit status are identical with and without the shim), --discard
 *     (drain without looking at the records: for benchmarks; only the
 *     program's exit status and the loss counter are then checked), --dump
 *     (print every event on stderr), --ring-slots N (ring size, default
 *     2^18), --stall-ms N (the consumer starts draining N ms late),
 *     --expect-lost (events were lost and reported as TR_EV_LOST: with a
 *     small ring and a stall, the ring's overflow policy end to end).
 *
 * Usage: pre_harness --shim PATH [options] -- program [args...]
 * Prints one summary line; exits 0 if every check passed, 1 otherwise.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "mmsim/ring.h"
#include "harness_tab.h"

struct opts {
    const char *shim;
    long expect_malloc;
    int expect_fastpath, expect_no_fastpath, expect_in_alloc, expect_pids, compare, dump;
    long max_stacks, ring_slots, stall_ms;
    int expect_lost;
    const char *expect_frame;
    char **argv;
};

static struct tr_ring_hdr *ring;
static atomic_int child_done;
static struct hx_state st;
static int dump, discard;

static void dump_event(const struct tr_ring_slot *s, const struct tr_event *e)
{
    fprintf(stderr, "ev %u pid %u tid %u fl %x seq %u stack %u a %llx %llx "
            "%llx %llx ret %llx\n", e->type, e->pid, e->tid, e->flags,
            s->mmseq, e->stack, (unsigned long long)e->a[0],
            (unsigned long long)e->a[1], (unsigned long long)e->a[2],
            (unsigned long long)e->a[3], (unsigned long long)e->ret);
}

static void drain_one(struct tr_ring_slot *s)
{
    if (discard)
        return;
    if (s->kind == TR_SLOT_STACK) {
        hx_stack(&st, &s->u.stack);
    } else if (s->kind == TR_SLOT_EVENT || s->kind == TR_SLOT_ALLOC) {
        struct tr_event ev;

        if (s->kind == TR_SLOT_ALLOC)
            tr_ring_alloc_event(&s->u.alloc, &ev);
        else
            ev = s->u.ev;
        hx_event(&st, &ev, s->mmseq);
        if (dump)
            dump_event(s, &ev);
    } else {
        st.bad_kind++;
    }
}

/*
 * Drain what is committed, in one batch. Stops at an empty or pending slot
 * rather than spinning there: a consumer polling the slot a producer is
 * writing makes its cache lines bounce on every event. A slot pending for
 * over a second is abandoned.
 */
static int drain(void)
{
    static long long pending_since;
    struct tr_ring_slot *s;
    int n = 0;

    for (;;) {
        int r = tr_ring_peek(ring, &s);

        if (r == TR_RING_READY) {
            drain_one(s);
            tr_ring_release(ring);
            pending_since = 0;
            n++;
            continue;
        }
        tr_ring_wake(ring);
        if (r == TR_RING_PENDING) {
            long long now = tr_ring__now_ns();

            if (pending_since == 0)
                pending_since = now;
            else if (now - pending_since > 1000000000LL &&
                     tr_ring_abandon(ring) == 0) {
                st.abandoned++;
                continue;
            }
        }
        return n;
    }
}

static long stall_ms;

static void *drainer(void *arg)
{
    (void)arg;
    usleep((useconds_t)stall_ms * 1000);
    while (!atomic_load(&child_done)) {
        drain();
        usleep(200);
    }
    return NULL;
}

/* Run argv with stdout captured into out; returns the wait status. */
static int run(char **argv, char **envp_extra, struct hx_buf *out)
{
    int p[2];
    pid_t pid;
    int status;
    char buf[4096];
    ssize_t n;

    if (pipe(p) != 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        for (char **e = envp_extra; e && *e; e++)
            putenv(*e);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(p[1]);
    while ((n = read(p[0], buf, sizeof(buf))) > 0)
        hx_buf_add(out, buf, (size_t)n);
    close(p[0]);
    while (waitpid(pid, &status, 0) < 0)
        ;
    /* Wait for any orphans sharing the pipe: the read above saw EOF. */
    return status;
}

static int parse(int argc, char **argv, struct opts *o)
{
    int i;

    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (!strcmp(a, "--shim") && v)
            o->shim = v, i++;
        else if (!strcmp(a, "--expect-malloc") && v)
            o->expect_malloc = atol(v), i++;
        else if (!strcmp(a, "--stall-ms") && v)
            o->stall_ms = atol(v), i++;
        else if (!strcmp(a, "--expect-lost"))
            o->expect_lost = 1;
        else if (!strcmp(a, "--ring-slots") && v)
            o->ring_slots = atol(v), i++;
        else if (!strcmp(a, "--max-stacks") && v)
            o->max_stacks = atol(v), i++;
        else if (!strcmp(a, "--expect-pids") && v)
            o->expect_pids = atoi(v), i++;
        else if (!strcmp(a, "--expect-frame") && v)
            o->expect_frame = v, i++;
        else if (!strcmp(a, "--expect-fastpath"))
            o->expect_fastpath = 1;
        else if (!strcmp(a, "--expect-no-fastpath"))
            o->expect_no_fastpath = 1;
        else if (!strcmp(a, "--expect-in-alloc"))
            o->expect_in_alloc = 1;
        else if (!strcmp(a, "--discard"))
            discard = 1;
        else if (!strcmp(a, "--dump"))
            o->dump = 1;
        else if (!strcmp(a, "--compare"))
            o->compare = 1;
        else
            return -1;
    }
    if (i + 1 >= argc || o->shim == NULL)
        return -1;
    o->argv = argv + i + 1;
    return 0;
}

static int fail(const char *what)
{
    fprintf(stderr, "pre_harness: check failed: %s\n", what);
    return 1;
}

static int check(const struct opts *o, int status, int plain_status,
                 const struct hx_buf *out, const struct hx_buf *plain_out)
{
    int bad = 0;

    if (o->expect_lost) {
        /* Reported losses: some, and no more than the ring counted (a
         * TR_EV_LOST that itself found the ring full is counted there). */
        if (st.lost_reported == 0 ||
            st.lost_reported > atomic_load(&ring->lost_total))
            bad |= fail("--expect-lost: losses not reported as TR_EV_LOST");
    } else if (atomic_load(&ring->lost_total) != 0 || st.lost_events != 0) {
        bad |= fail("events lost");
    }
    bad |= st.undefined_stacks ? fail("undefined stack ids") : 0;
    /* Stack 0 (definition lost) only when losses are expected. */
    if (st.no_stack && !o->expect_lost)
        bad |= fail("allocator events without a stack");
    bad |= st.mmseq_dup ? fail("mmseq zero or repeated") : 0;
    bad |= st.bad_kind ? fail("unknown slot kind") : 0;
    bad |= st.abandoned ? fail("abandoned slots") : 0;
    if (o->expect_malloc && !hx_malloc_freed(&st, (uint64_t)o->expect_malloc))
        bad |= fail("--expect-malloc");
    if (o->max_stacks && (long)st.nstacks > o->max_stacks)
        bad |= fail("--max-stacks: stacks not interned");
    if (o->expect_fastpath && (!st.fp_mmap_ok || !st.fp_munmap_ok))
        bad |= fail("--expect-fastpath");
    if (o->expect_fastpath && st.fp_file_no_ino)
        bad |= fail("file mmap without inode");
    if (o->expect_no_fastpath && st.nfast != 0)
        bad |= fail("--expect-no-fastpath");
    if (o->expect_in_alloc && !st.in_alloc)
        bad |= fail("--expect-in-alloc");
    if (o->expect_pids && hx_npids(&st) < o->expect_pids)
        bad |= fail("--expect-pids");
    if (o->expect_frame && !st.frame_seen)
        bad |= fail("--expect-frame");
    if (o->compare && (status != plain_status || !hx_buf_eq(out, plain_out))) {
        bad |= fail("--compare: output or status differs");
        fprintf(stderr, "--- without the shim (status %d):\n%.*s--- with it "
                "(status %d):\n%.*s", plain_status, (int)plain_out->len,
                plain_out->data, status, (int)out->len, out->data);
    }
    return bad;
}

int main(int argc, char **argv)
{
    struct opts o = {0};
    struct hx_buf out = {0}, plain_out = {0};
    char envfd[64], envpre[4096], *extra[] = {envfd, envpre, NULL};
    pthread_t th;
    int fd, status, plain_status = 0, bad;

    if (parse(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: pre_harness --shim PATH [options] -- prog...\n");
        return 2;
    }
    if (o.compare)
        plain_status = run(o.argv, NULL, &plain_out);
    /* Large by default: a starved consumer on a loaded machine must not
     * make the tests lose events (producers wait at most 100 ms). */
    fd = tr_ring_create(o.ring_slots ? (uint32_t)o.ring_slots : 1u << 18,
                        &ring);
    if (fd < 0)
        return fail("tr_ring_create");
    /* Alive, as the supervisor is: a full ring makes producers wait for
     * it (at most 100 ms an event) rather than count it gone. */
    ring->consumer_pid = (uint32_t)getpid();
    snprintf(envfd, sizeof(envfd), "%s=%d", TR_RING_ENV, fd);
    snprintf(envpre, sizeof(envpre), "LD_PRELOAD=%s", o.shim);
    hx_init(&st);
    dump = o.dump;
    stall_ms = o.stall_ms;
    st.want_size = (uint64_t)o.expect_malloc;
    if (o.expect_frame && !hx_find_symbol(o.argv[0], o.expect_frame,
                                          &st.frame_lo, &st.frame_hi))
        return fail("--expect-frame: symbol not found");
    pthread_create(&th, NULL, drainer, NULL);
    status = run(o.argv, extra, &out);
    atomic_store(&child_done, 1);
    pthread_join(th, NULL);
    while (drain() != 0 || tr_ring_peek(ring, &(struct tr_ring_slot *){0}) ==
                               TR_RING_PENDING)
        usleep(1000);
    bad = check(&o, status, plain_status, &out, &plain_out);
    hx_summary(&st, status);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        bad |= fail("program did not exit 0");
    hx_free(&st);
    free(out.data);
    free(plain_out.data);
    return bad ? 1 : 0;
}
