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
 */
#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "cli.h"

struct unw_arg {
    uint64_t *ips;
    uint32_t n, max;
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
    static const Dwfl_Callbacks cb = {
        .find_elf = dwfl_linux_proc_find_elf,
        .find_debuginfo = dwfl_standard_find_debuginfo,
    };
    struct unw_arg a = {ips, 0, max};
    Dwfl *dwfl = max ? dwfl_begin(&cb) : NULL;
    if (!dwfl)
        return 0;
    if (dwfl_linux_proc_report(dwfl, pid) == 0 &&
        dwfl_report_end(dwfl, NULL, NULL) == 0 &&
        dwfl_linux_proc_attach(dwfl, pid, true) == 0)
        dwfl_getthread_frames(dwfl, tid, unw_frame, &a);
    dwfl_end(dwfl);
    return a.n;
}
