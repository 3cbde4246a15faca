/*
 * tools/replay.h - feeding a recorded (or live) event stream to one or more
 * simulated kernels, one per policy, and filling a struct mm_report for each.
 *
 * Files: replay.c (the tr_consumer: tables, dispatch), replay_apply.c (event
 * -> mm_* call, verdicts), replay_proc.c (process table, fates, figures),
 * replay_boot.c (the simulator of a column: --machine, recorded facts,
 * policies), replay_sample.c (bounded samples of the system view).
 * docs/replay.md states the rules (faults, refusals, what is not applied).
 */
#ifndef MMSIM_TOOLS_REPLAY_H
#define MMSIM_TOOLS_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli_config.h"
#include "mmsim/trace.h"
#include "report.h"

/* A process as one column's replay sees it. */
struct replay_task {
    uint32_t pid;
    uint32_t idx;       /* index into the column's report procs[] */
    bool failed;        /* the simulated kernel refused one of its requests */
    bool gone;          /* exited (its figures are taken) */
    uint64_t brk;       /* the break as the simulated kernel has it */
    uint64_t t_exec;    /* time of its last exec: older faults are stale */
    /* faults that fit no mapping of the current image: the next exec's
     * (its loading faults can be drained before its event) */
    uint64_t pend_addr[8];
    uint8_t pend_write, nr_pend;
    bool mm_gone;       /* address space released at its exit stop (the
                           real figures were read), before its exit event */
    bool killed;        /* by the simulated OOM killer: later events skipped */
    bool gap;           /* its capture has a gap since its last exec */
};

/* One simulated configuration: a simulator and its report. */
struct replay_col {
    struct mm_sim *sim;
    const char *policy;        /* "k=v,k=v" applied after the config; or NULL */
    struct mm_report rep;
    struct replay_task *tasks; /* open-addressed by pid */
    size_t cap_tasks, nr_tasks;
    size_t oom_logs_seen;      /* model OOM log entries already reported */
    uint64_t oom_kills_seen;   /* the model's oom_kill counter, last seen */
    uint32_t *unborn;          /* children an OOM-killed process forked later */
    size_t nr_unborn, cap_unborn;
    struct replay_commit *commit; /* commit charge by call site */
};

/* A verdict waiting for the allocator call it was made from. */
struct replay_pending {
    uint32_t tid;
    uint32_t col;
    size_t event;
};

struct replay_stack {
    uint64_t *ips;
    uint32_t n;
};

struct replay {
    struct replay_col *cols;
    size_t nr_cols;
    const struct cli_config *cfg;
    bool machine_recorded;     /* --machine recorded (or the report default) */
    bool booted;
    int error;                 /* CLI exit code of a failed boot */
    uint64_t t0;               /* recording start (monotonic ns) */
    uint64_t t_last;
    uint64_t duration_hint;    /* expected length, for sampling; 0 unknown */
    char **strings;            /* id -> text (index id) */
    size_t nr_strings;
    struct replay_stack *stacks;
    size_t nr_stacks;
    struct tr_module *modules;
    size_t nr_modules;
    struct replay_pending *pending;
    size_t nr_pending;
    /* stop before the first event past this point (mmsim proc --at) */
    uint64_t stop_t_ns;        /* 0 = never */
    uint32_t stop_exit_pid;    /* stop at this process's exit stop (its
                                  host_stat, else before its exit), 0 never */
    bool stopped;
    bool warm_cache;           /* file pages start cached (the recording
                                  machine's state: mmsim fidelity) */
    bool cache_recorded;       /* the trace says what the machine's page
                                  cache held (TR_EV_CACHED seen): no
                                  warming around each fault then */
    bool reconcile;            /* apply resident ranges (mm_resident_set) */
    char first_warning[200];   /* the reader's first complaint */
    /* vm event indexes of the pressure counters (replay_sample.c) */
    int ev_index[REPORT_NR_PRESSURE];
    int ev_allocstall[5];      /* allocstall_{dma,dma32,normal,movable,device} */
    struct replay_sites *sites; /* call sites of allocator calls */
    struct symbolize_cache *sym; /* opened modules (symbolize.c) */
    struct replay_progress *progress; /* bar on a terminal, or NULL */
};

/* tools/replay.c */
int replay_init(struct replay *rp, const struct cli_config *cfg,
                const char *const *policies, size_t nr_policies);
void replay_free(struct replay *rp);
extern const struct tr_consumer replay_consumer;
int replay_finish(struct replay *rp, const struct tr_read_stats *st);
const char *replay_string(void *rp, uint32_t id);
int replay_add_string(struct replay *rp, uint32_t id, const char *s, size_t len);

/* tools/cmd_report.c: shared by report, compare, run and proc */
int cmd_report_replay(const char *trace, struct replay *rp, const char *verb);
int cmd_report_format_ok(const char *format, const char *out);
int cmd_report_write(struct replay *rp, const char *format, const char *out,
                     const char *sort, FILE *dflt);

/* tools/replay_apply.c */
int replay_apply(struct replay *rp, struct replay_col *c,
                 const struct tr_event *ev);

/* tools/replay_proc.c */
struct replay_task *replay_task_get(struct replay_col *c, uint32_t pid,
                                    bool create);
struct report_proc *replay_proc_of(struct replay_col *c,
                                   const struct replay_task *t);
void replay_proc_start(struct replay *rp, struct replay_col *c, uint32_t pid,
                       uint32_t ppid, uint64_t t);
void replay_proc_measure(struct replay_col *c, struct replay_task *t);
void replay_proc_exit(struct replay *rp, struct replay_col *c, uint32_t pid,
                      const struct tr_event *ev);
void replay_proc_comm(struct replay *rp, struct replay_col *c, uint32_t pid,
                      uint32_t path);
void replay_proc_peak(struct replay_col *c, struct replay_task *t);
int replay_proc_host(struct replay_col *c, const struct tr_event *ev);

/* tools/replay_oom.c */
bool replay_oom_skip(struct replay_col *c, const struct tr_event *ev);
void replay_oom_check(struct replay *rp, struct replay_col *c,
                      const struct tr_event *ev);
int replay_oom_adj_event(struct replay *rp, struct replay_col *c,
                         const struct tr_event *ev);
void replay_oom_override(struct replay *rp, struct replay_col *c, uint32_t pid);

/* tools/replay_boot.c */
int replay_boot(struct replay *rp, const struct tr_header *h);

/* tools/replay_sample.c */
void replay_sample_init(struct replay *rp);
void replay_sample(struct replay *rp, struct replay_col *c, uint64_t t,
                   bool force);
void replay_verdict(struct replay *rp, struct replay_col *c,
                    const struct tr_event *ev, int err, uint64_t length);
void replay_note_alloc(struct replay *rp, const struct tr_event *ev);

/* tools/replay_owner.c: address ranges owned by call sites, two figures */
enum { OWN_COMMIT, OWN_RSS, OWN_NR };
struct owner_map;
struct owner_map *replay_owner_new(void);
void replay_owner_free(struct owner_map *m);
void replay_owner_take(struct owner_map *m, uint32_t pid, uint64_t a,
                       uint64_t b, uint64_t got[OWN_NR], uint32_t *owner);
void replay_owner_put(struct owner_map *m, uint32_t pid, uint64_t a,
                      uint64_t b, const uint64_t v[OWN_NR], uint32_t site);
void replay_owner_add_at(struct owner_map *m, uint32_t pid, uint64_t addr,
                         int k, uint64_t pages);
void replay_owner_copy(struct owner_map *m, uint32_t parent, uint32_t child,
                       uint64_t child_rss);
void replay_owner_settle(struct owner_map *m);
void replay_owner_clamp(struct owner_map *m, uint32_t pid, int k,
                        uint64_t limit);
bool replay_owner_site(const struct owner_map *m, uint32_t stack,
                       uint64_t peak[OWN_NR], uint32_t *pid);
size_t replay_owner_finish(struct owner_map *m, int k, uint32_t *stacks,
                           size_t max);
void replay_owner_totals(const struct owner_map *m, uint64_t peak[OWN_NR],
                         uint64_t sites[OWN_NR]);

/* tools/replay_commit.c */
void replay_commit_before(struct replay_col *c, uint32_t pid);
void replay_commit_request(struct replay_col *c, const struct tr_event *ev,
                           int rc);
void replay_commit_alloc(struct replay_col *c, const struct tr_event *ev);
void replay_commit_fork(struct replay_col *c, uint32_t parent, uint32_t child);
void replay_commit_exit(struct replay_col *c, uint32_t pid);
int replay_commit_finish(struct replay *rp, struct replay_col *c);
void replay_commit_free(struct replay_col *c);

/* tools/replay_progress.c */
void replay_progress_start(struct replay *rp, int fd);
void replay_progress_tick(struct replay *rp);
void replay_progress_end(struct replay *rp);

/* tools/replay_sites.c */
int replay_sites_event(struct replay *rp, const struct tr_event *ev);
int replay_sites_finish(struct replay *rp);
bool replay_sites_lookup(struct replay *rp, uint32_t stack,
                         struct report_site *out);
void replay_sites_free(struct replay *rp);

/* tools/symbolize.c */
int symbolize_events(struct replay *rp, struct mm_report *r);
int symbolize_ooms(struct replay *rp, struct mm_report *r);
int symbolize_sites(struct replay *rp, struct mm_report *r);
void symbolize_free(struct replay *rp);

#endif /* MMSIM_TOOLS_REPLAY_H */
