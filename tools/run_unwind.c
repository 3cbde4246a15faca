/*
 * run_unwind.c - the call stack of a traced thread stopped by the
 * supervisor, unwound from outside with elfutils libdw (CFI of each module,
 * memory and registers read through ptrace: mmsim is already its tracer).
 *
 * `mmsim run` uses it when the simulated kernel refuses a request that came
 * through the ptrace path (no allocator event carries a stack for it): the
 * thread is still at the stop where its event was emitted, so its stack is
 * the one that made the request. It is slow (the module list is read from
 * /proc, each object's unwind tables are loaded), so only refusals pay it.
 *
 * `mmsim record --syscall-stacks` unwinds every traced request that can be
 * refused; it keeps one Dwfl per process (struct run_unwinder), reported
 * and attached once, and dropped when the process's module map changes
 * (a module record), when it execs or exits.
 */
#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cli.h"

#define UNW_CACHE 64

struct unw_arg {
    uint64_t *ips;
    uint32_t n, max;
};

struct unw_proc {
    pid_t pid;
    Dwfl *dwfl;
};

struct run_unwinder {
    struct unw_proc p[UNW_CACHE];
    unsigned next; /* round-robin victim when full */
};

/* Unwinding needs the objects' .eh_frame only: no search for separate
 * debug files (it made each unwind of python3 take milliseconds). */
static int unw_no_debuginfo(Dwfl_Module *mod, void **userdata,
                            const char *modname, Dwarf_Addr base,
                            const char *file_name,
                            const char *debuglink_file,
                            GElf_Word debuglink_crc, char **debuginfo_file_name)
{
    (void)mod, (void)userdata, (void)modname, (void)base, (void)file_name;
    (void)debuglink_file, (void)debuglink_crc, (void)debuginfo_file_name;
    return -1;
}

static const Dwfl_Callbacks unw_cb = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = unw_no_debuginfo,
};

static int unw_frame(Dwfl_Frame *state, void *arg)
{
    struct unw_arg *a = arg;
    Dwarf_Addr pc;
    bool activation;
    if (!dwfl_frame_pc(state, &pc, &activation))
        return DWARF_CB_ABORT;
    a->ips[a->n++] = pc;
    return a->n < a->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

/* A Dwfl of process @pid's modules, attached (the caller is its tracer). */
static Dwfl *unw_open(pid_t pid)
{
    Dwfl *dwfl = dwfl_begin(&unw_cb);
    if (!dwfl)
        return NULL;
    if (dwfl_linux_proc_report(dwfl, pid) == 0 &&
        dwfl_report_end(dwfl, NULL, NULL) == 0 &&
        dwfl_linux_proc_attach(dwfl, pid, true) == 0)
        return dwfl;
    dwfl_end(dwfl);
    return NULL;
}

/**
 * run_unwind() - unwind the stack of thread @tid of process @pid.
 * @pid: the process (tgid).
 * @tid: the thread, in a ptrace stop of ours.
 * @ips: receives return addresses, innermost first (the first is where the
 *       thread stopped: after its syscall instruction).
 * @max: room in @ips.
 *
 * Return: the number of frames (0 if nothing could be unwound).
 */
uint32_t run_unwind(pid_t pid, pid_t tid, uint64_t *ips, uint32_t max)
{
    struct unw_arg a = {ips, 0, max};
    Dwfl *dwfl = max ? unw_open(pid) : NULL;
    if (dwfl) {
        dwfl_getthread_frames(dwfl, tid, unw_frame, &a);
        dwfl_end(dwfl);
    }
    return a.n;
}

/** run_unwinder_new() - a per-process cache of Dwfls. Return: it or NULL. */
struct run_unwinder *run_unwinder_new(void)
{
    return calloc(1, sizeof(struct run_unwinder));
}

/**
 * run_unwinder_forget() - drop the Dwfl of @pid (its modules changed, it
 * exec'd or exited).
 * @u: the cache, or NULL.
 * @pid: the process.
 */
void run_unwinder_forget(struct run_unwinder *u, pid_t pid)
{
    for (unsigned i = 0; u && i < UNW_CACHE; i++)
        if (u->p[i].dwfl && u->p[i].pid == pid) {
            dwfl_end(u->p[i].dwfl);
            u->p[i].dwfl = NULL;
        }
}

/** run_unwinder_free() - free the cache. @u: the cache, or NULL. */
void run_unwinder_free(struct run_unwinder *u)
{
    for (unsigned i = 0; u && i < UNW_CACHE; i++)
        if (u->p[i].dwfl)
            dwfl_end(u->p[i].dwfl);
    free(u);
}

static Dwfl *unw_get(struct run_unwinder *u, pid_t pid)
{
    unsigned slot = UNW_CACHE;
    for (unsigned i = 0; i < UNW_CACHE; i++) {
        if (u->p[i].dwfl && u->p[i].pid == pid)
            return u->p[i].dwfl;
        if (!u->p[i].dwfl && slot == UNW_CACHE)
            slot = i;
    }
    if (slot == UNW_CACHE) {
        slot = u->next++ % UNW_CACHE;
        dwfl_end(u->p[slot].dwfl);
    }
    u->p[slot].pid = pid;
    u->p[slot].dwfl = unw_open(pid);
    return u->p[slot].dwfl;
}

/**
 * run_unwinder_stack() - run_unwind() with the process's cached Dwfl.
 * @u: the cache.
 * @pid: the process.
 * @tid: the thread, in a ptrace stop of ours.
 * @ips: receives return addresses, innermost first.
 * @max: room in @ips.
 *
 * Return: the number of frames.
 */
uint32_t run_unwinder_stack(struct run_unwinder *u, pid_t pid, pid_t tid,
                            uint64_t *ips, uint32_t max)
{
    struct unw_arg a = {ips, 0, max};
    Dwfl *dwfl = max ? unw_get(u, pid) : NULL;
    if (dwfl)
        dwfl_getthread_frames(dwfl, tid, unw_frame, &a);
    return a.n;
}
