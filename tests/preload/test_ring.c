/*
 * Unit tests of the shared ring (include/mmsim/ring.h): fd validation, the
 * slot protocol, overflow accounting, abandonment, and the mm lock.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "mmsim/ring.h"

static void test_parse_fd(void **state)
{
    (void)state;
    assert_int_equal(tr_ring_parse_fd("3"), 3);
    assert_int_equal(tr_ring_parse_fd("1023"), 1023);
    assert_int_equal(tr_ring_parse_fd(NULL), -1);
    assert_int_equal(tr_ring_parse_fd(""), -1);
    assert_int_equal(tr_ring_parse_fd("2"), -1);
    assert_int_equal(tr_ring_parse_fd("12x"), -1);
    assert_int_equal(tr_ring_parse_fd("-5"), -1);
    assert_int_equal(tr_ring_parse_fd("99999999999"), -1);
}

/* A ring for a test; the test cannot go on without one. */
static int new_ring(uint32_t nslots, struct tr_ring_hdr **h)
{
    int fd = tr_ring_create(nslots, h);

    if (fd < 0 || *h == NULL)
        abort();
    return fd;
}

static void test_create_attach(void **state)
{
    struct tr_ring_hdr *h, *a;
    int fd;

    (void)state;
    assert_int_equal(tr_ring_create(100, &h), -EINVAL);
    fd = new_ring(256, &h);
    assert_true(fd >= 3);
    assert_int_equal(h->nslots, 256);
    assert_int_equal(h->total_size, 4096 + 4096 * 16 + 256 * 128);
    assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
    a = tr_ring_attach_fd(fd);
    assert_non_null(a);
    /* Two mappings of one memfd: a write through one shows in the other. */
    atomic_store(&h->head, 7);
    assert_int_equal(atomic_load(&a->head), 7);
    atomic_store(&h->head, 0);
    munmap(a, a->total_size);
    munmap(h, h->total_size);
    close(fd);
}

static void test_attach_rejects(void **state)
{
    int p[2], fd;
    struct tr_ring_hdr *h;

    (void)state;
    assert_int_equal(pipe(p), 0);
    assert_null(tr_ring_attach_fd(p[0]));
    assert_null(tr_ring_attach_fd(999));
    close(p[0]);
    close(p[1]);
    /* A memfd of the right size and content but without the seals. */
    fd = (int)syscall(SYS_memfd_create, "x", MFD_ALLOW_SEALING);
    assert_int_equal(ftruncate(fd, (off_t)tr_ring_bytes(64)), 0);
    h = mmap(NULL, tr_ring_bytes(64), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    tr_ring_init(h, 64);
    assert_null(tr_ring_attach_fd(fd));
    /* Sealed, but the header claims another size. */
    h->nslots = 128;
    assert_int_equal(fcntl(fd, F_ADD_SEALS, TR_RING_SEALS), 0);
    assert_null(tr_ring_attach_fd(fd));
    h->nslots = 64;
    assert_non_null(tr_ring_attach_fd(fd));
    h->magic ^= 1;
    assert_null(tr_ring_attach_fd(fd));
    munmap(h, tr_ring_bytes(64));
    close(fd);
}

static void test_put_peek_release(void **state)
{
    struct tr_ring_hdr *h;
    struct tr_ring_slot *s = NULL;
    struct tr_event ev = {.type = TR_EV_MALLOC, .pid = 5, .a = {33}, .ret = 77};
    int fd = new_ring(64, &h);

    (void)state;
    assert_int_equal(tr_ring_peek(h, &s), TR_RING_EMPTY);
    for (int lap = 0; lap < 200; lap++) {
        ev.tid = (uint32_t)lap;
        assert_int_equal(tr_ring_put(h, TR_SLOT_EVENT, 9, &ev, sizeof(ev)), 0);
        assert_int_equal(tr_ring_peek(h, &s), TR_RING_READY);
        assert_int_equal(s->kind, TR_SLOT_EVENT);
        assert_int_equal(s->mmseq, 9);
        assert_int_equal(s->u.ev.tid, lap);
        assert_int_equal(s->u.ev.a[0], 33);
        assert_int_equal(s->u.ev.ret, 77);
        tr_ring_release(h);
        assert_int_equal(tr_ring_peek(h, &s), TR_RING_EMPTY);
    }
    assert_int_equal(atomic_load(&h->tail), 200);
    assert_int_equal(atomic_load(&h->lost_total), 0);
    munmap(h, h->total_size);
    close(fd);
}

/* An allocator record round-trips, fits one cache line of an aligned slot,
 * and leaves the slot's second line unwritten. */
static void test_alloc_slot(void **state)
{
    struct tr_ring_hdr *h;
    struct tr_ring_slot *s = NULL;
    struct tr_event ev = {.t_ns = 123456789, .type = TR_EV_REALLOC,
                          .flags = 0, .pid = 5, .tid = 6, .stack = 7,
                          .a = {0x7f0000001000, 4096}, .ret = 0x7f0000002000};
    struct tr_event back;
    struct tr_ring_alloc a;
    int fd = new_ring(64, &h);

    (void)state;
    assert_true(tr_ring_alloc_fits(&ev));
    tr_ring_alloc_pack(&ev, &a);
    for (int i = 0; i < 64; i++) { /* mark every slot's second line */
        struct tr_ring_slot *t = (struct tr_ring_slot *)(void *)
            ((char *)h + h->total_size - (size_t)(64 - i) * sizeof(*t));
        memset((char *)t + 64, 0xa5, 64);
        assert_int_equal((uintptr_t)t % 64, 0);
    }
    assert_int_equal(tr_ring_put(h, TR_SLOT_ALLOC, 3, &a, sizeof(a)), 0);
    assert_int_equal(tr_ring_peek(h, &s), TR_RING_READY);
    assert_int_equal(s->kind, TR_SLOT_ALLOC);
    for (int i = 64; i < 128; i++)
        assert_int_equal(((unsigned char *)s)[i], 0xa5);
    tr_ring_alloc_event(&s->u.alloc, &back);
    assert_memory_equal(&back, &ev, sizeof(ev));
    tr_ring_release(h);
    ev.a[2] = 1; /* reallocarray's third argument: needs a full event */
    assert_false(tr_ring_alloc_fits(&ev));
    munmap(h, h->total_size);
    close(fd);
}

static void test_overflow(void **state)
{
    struct tr_ring_hdr *h;
    struct tr_ring_slot *s = NULL;
    uint64_t v = 1;
    long long t0, t1;
    int fd = new_ring(64, &h);

    (void)state;
    for (int i = 0; i < 64; i++)
        assert_int_equal(tr_ring_put(h, TR_SLOT_EVENT, 0, &v, sizeof(v)), 0);
    t0 = tr_ring__now_ns();
    assert_int_equal(tr_ring_put(h, TR_SLOT_EVENT, 0, &v, sizeof(v)), -1);
    t1 = tr_ring__now_ns();
    /* One bounded wait, then an immediate drop while the consumer is idle. */
    assert_true(t1 - t0 >= TR_RING_FULL_WAIT_NS / 2);
    assert_int_equal(tr_ring_put(h, TR_SLOT_EVENT, 0, &v, sizeof(v)), -1);
    assert_true(tr_ring__now_ns() - t1 < TR_RING_FULL_WAIT_NS / 2);
    assert_int_equal(atomic_load(&h->lost_total), 2);
    assert_int_equal(tr_ring_peek(h, &s), TR_RING_READY);
    tr_ring_release(h);
    tr_ring_wake(h);
    assert_int_equal(tr_ring_put(h, TR_SLOT_EVENT, 0, &v, sizeof(v)), 0);
    assert_int_equal(atomic_load(&h->head), 65);
    munmap(h, h->total_size);
    close(fd);
}

/* Fill @h, then time one put that must fail: its wait in ns. */
static long long timed_drop(struct tr_ring_hdr *h)
{
    uint64_t v = 1;
    long long t0 = tr_ring__now_ns();

    assert_int_equal(tr_ring_put(h, TR_SLOT_EVENT, 0, &v, sizeof(v)), -1);
    return tr_ring__now_ns() - t0;
}

/* A consumer that lives but is starved: every put waits its full bound (one
 * loss per timeout); a dead consumer: one wait, then immediate drops. */
static void test_overflow_consumer(void **state)
{
    struct tr_ring_hdr *h;
    uint64_t v = 1;
    int fd = new_ring(64, &h);
    pid_t child;

    (void)state;
    for (int i = 0; i < 64; i++)
        assert_int_equal(tr_ring_put(h, TR_SLOT_EVENT, 0, &v, sizeof(v)), 0);
    h->consumer_pid = (uint32_t)getpid();
    assert_true(timed_drop(h) >= TR_RING_FULL_WAIT_NS / 2);
    assert_true(timed_drop(h) >= TR_RING_FULL_WAIT_NS / 2);
    child = fork();
    if (child == 0)
        _exit(0);
    assert_int_equal(waitpid(child, NULL, 0), child);
    h->consumer_pid = (uint32_t)child;
    assert_true(timed_drop(h) >= TR_RING_FULL_WAIT_NS / 2);
    assert_true(timed_drop(h) < TR_RING_FULL_WAIT_NS / 2);
    assert_int_equal(atomic_load(&h->lost_total), 4);
    munmap(h, h->total_size);
    close(fd);
}

static void test_pending_abandon(void **state)
{
    struct tr_ring_hdr *h;
    struct tr_ring_slot *s = NULL, *r;
    uint64_t pos = 0, v = 4;
    int fd = new_ring(64, &h);

    (void)state;
    r = tr_ring_reserve(h, &pos);
    assert_non_null(r);
    assert_int_equal(pos, 0);
    assert_int_equal(tr_ring_peek(h, &s), TR_RING_PENDING);
    assert_int_equal(tr_ring_put(h, TR_SLOT_EVENT, 0, &v, sizeof(v)), 0);
    /* The later committed record waits behind the pending one. */
    assert_int_equal(tr_ring_peek(h, &s), TR_RING_PENDING);
    assert_int_equal(tr_ring_abandon(h), 0);
    assert_int_equal(tr_ring_commit(h, r, pos), -1);
    assert_int_equal(atomic_load(&h->lost_total), 1);
    assert_int_equal(tr_ring_peek(h, &s), TR_RING_READY);
    assert_memory_equal(s->u.raw, &v, sizeof(v));
    tr_ring_release(h);
    /* A committed slot cannot be abandoned. */
    assert_int_equal(tr_ring_put(h, TR_SLOT_EVENT, 0, &v, sizeof(v)), 0);
    assert_int_equal(tr_ring_abandon(h), -1);
    munmap(h, h->total_size);
    close(fd);
}

#define NPROD 4
#define PER_PROD 100000

struct prod_arg {
    struct tr_ring_hdr *h;
    uint32_t id;
};

static void *producer(void *p)
{
    struct prod_arg *a = p;
    struct tr_event ev = {.type = TR_EV_FREE, .tid = a->id};

    for (uint64_t i = 0; i < PER_PROD; i++) {
        ev.a[0] = i;
        while (tr_ring_put(a->h, TR_SLOT_EVENT, 0, &ev, sizeof(ev)) != 0)
            ;
    }
    return NULL;
}

static void test_mpsc_threads(void **state)
{
    struct tr_ring_hdr *h;
    struct tr_ring_slot *s = NULL;
    struct prod_arg args[NPROD];
    pthread_t th[NPROD];
    uint64_t next[NPROD] = {0}, got = 0;
    int fd = new_ring(1024, &h);

    (void)state;
    for (uint32_t i = 0; i < NPROD; i++) {
        args[i] = (struct prod_arg){h, i};
        pthread_create(&th[i], NULL, producer, &args[i]);
    }
    while (got < (uint64_t)NPROD * PER_PROD) {
        if (tr_ring_peek(h, &s) != TR_RING_READY) {
            tr_ring_wake(h);
            continue;
        }
        assert_true(s->u.ev.tid < NPROD);
        /* Each producer's records arrive in its own order, none missing. */
        assert_int_equal(s->u.ev.a[0], next[s->u.ev.tid]);
        next[s->u.ev.tid]++;
        tr_ring_release(h);
        if ((++got & 63) == 0)
            tr_ring_wake(h);
    }
    for (int i = 0; i < NPROD; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(tr_ring_peek(h, &s), TR_RING_EMPTY);
    munmap(h, h->total_size);
    close(fd);
}

struct lock_arg {
    struct tr_ring_mmlock *lk;
    uint64_t *counter;
    uint32_t tid;
};

static void *locker(void *p)
{
    struct lock_arg *a = p;

    for (int i = 0; i < 20000; i++) {
        tr_mmlock_lock(a->lk, a->tid, 1);
        uint64_t c = *a->counter;
        if ((i & 255) == 0)
            sched_yield();
        *a->counter = c + 1;
        tr_mmlock_next_seq(a->lk);
        tr_mmlock_unlock(a->lk);
    }
    return NULL;
}

static void test_mmlock(void **state)
{
    struct tr_ring_hdr *h;
    struct tr_ring_mmlock *lk;
    struct lock_arg args[4];
    pthread_t th[4];
    uint64_t counter = 0;
    int fd = new_ring(64, &h);

    (void)state;
    lk = tr_ring_mmlock(h, 1234);
    assert_ptr_equal(lk, tr_ring_mmlock(h, 1234 + TR_RING_MMLOCKS));
    assert_ptr_not_equal(lk, tr_ring_mmlock(h, 1235));
    assert_int_equal(tr_mmlock_trylock(lk, 77 | TR_MMLOCK_TRACED, 1234), 1);
    assert_int_equal(tr_mmlock_trylock(lk, 78, 1234), 0);
    assert_int_equal(tr_mmlock_next_seq(lk), 1);
    assert_int_equal(tr_mmlock_next_seq(lk), 2);
    tr_mmlock_reap(lk, 999); /* not the holder's process: no effect */
    assert_int_equal(atomic_load(&lk->word), 77 | TR_MMLOCK_TRACED);
    tr_mmlock_reap(lk, 1234);
    assert_int_equal(atomic_load(&lk->word), 0);
    for (uint32_t i = 0; i < 4; i++) {
        args[i] = (struct lock_arg){lk, &counter, 100 + i};
        pthread_create(&th[i], NULL, locker, &args[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(counter, 80000);
    assert_int_equal(atomic_load(&lk->seq), 80002);
    assert_int_equal(atomic_load(&lk->word), 0);
    munmap(h, h->total_size);
    close(fd);
}

static void test_mmlock_stale(void **state)
{
    struct tr_ring_hdr *h;
    struct tr_ring_mmlock *lk;
    pid_t child;
    int fd = new_ring(64, &h);

    (void)state;
    lk = tr_ring_mmlock(h, 42);
    child = fork();
    if (child == 0) {
        /* Dies holding the lock. */
        tr_mmlock_trylock(lk, (uint32_t)getpid(), (uint32_t)getpid());
        _exit(0);
    }
    waitpid(child, NULL, 0);
    assert_int_equal(atomic_load(&lk->tgid), child);
    tr_mmlock_lock(lk, 5, (uint32_t)getpid());
    assert_int_equal(atomic_load(&lk->word) & TR_MMLOCK_TID_MASK, 5);
    tr_mmlock_unlock(lk);
    munmap(h, h->total_size);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_fd),
        cmocka_unit_test(test_create_attach),
        cmocka_unit_test(test_attach_rejects),
        cmocka_unit_test(test_put_peek_release),
        cmocka_unit_test(test_alloc_slot),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_overflow_consumer),
        cmocka_unit_test(test_pending_abandon),
        cmocka_unit_test(test_mpsc_threads),
        cmocka_unit_test(test_mmlock),
        cmocka_unit_test(test_mmlock_stale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
