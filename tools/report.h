/*
 * tools/report.h - the plain report a replay fills and renderers read.
 *
 * The pipeline is heaptrack's: one reader (trace/), one consumer that feeds
 * the model (tools/replay*.c) and fills a struct mm_report per simulated
 * configuration, and renderers (render_text.c, render_json.c) that read only
 * these structs. Nothing here refers to the trace or the model.
 * Sizes are kB, times are ns since the start of the recording.
 */
#ifndef MMSIM_TOOLS_REPORT_H
#define MMSIM_TOOLS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What became of a process by the end of the replay. */
enum report_fate {
    REPORT_FATE_RUNNING,  /* no exit event: still running when the trace ended */
    REPORT_FATE_EXITED,   /* exited with a code */
    REPORT_FATE_SIGNALED, /* killed by a signal */
    REPORT_FATE_FAILED,   /* the simulated kernel refused a request */
    REPORT_FATE_OOM_KILLED, /* killed by the simulated OOM killer */
};

/* Samples kept per series: the replay thins them to stay within this. */
#define REPORT_MAX_SAMPLES 256

/* The real kernel's figures of a process at its exit (TR_EV_HOST_STAT),
 * the recorder's shim subtracted: what the fidelity check compares with. */
struct report_host {
    uint64_t rss_kb, rss_anon_kb, minflt, majflt, pss_anon_kb, uss_kb;
};

struct report_proc {
    uint32_t pid, ppid;
    char comm[16];
    uint64_t rss_kb, pss_kb, uss_kb, swap_kb, rss_anon_kb;
    uint64_t peak_rss_kb, vm_size_kb, committed_kb;
    uint64_t minflt, majflt;
    uint64_t t_start_ns, t_end_ns;
    enum report_fate fate;
    int exit_code;        /* EXITED: the code; SIGNALED: the signal */
    uint32_t first_verdict; /* FAILED: index+1 into events[] */
    bool measured;        /* figures taken (at exit or at the trace's end) */
    uint64_t *rss_series; /* RSS kB at each of samples[] (0: not alive), or NULL */
    uint32_t oom;         /* OOM_KILLED: index+1 into ooms[] */
    uint64_t pss_anon_kb; /* the model's Pss_Anon */
    bool has_host;        /* host holds the real kernel's figures */
    struct report_host host;
};

/* One act of the simulated OOM killer: a kill, or the panic that ends all. */
struct report_oom {
    uint64_t t_ns;
    uint32_t pid;          /* the victim (0 for a panic) */
    char comm[16];
    uint32_t trigger_pid;  /* the process whose allocation invoked it */
    char trigger_comm[16];
    uint32_t trigger_type; /* enum tr_ev_type of the event that allocated */
    uint32_t stack;        /* that event's interned stack id, 0 none */
    char **frames;         /* symbolised frames, nframes of them */
    uint32_t nframes;
    int64_t points;        /* the victim's oom_badness() */
    bool memcg;            /* a memory cgroup OOM */
    bool panic;            /* vm.panic_on_oom, or nothing left to kill */
    char *log;             /* the kernel's log lines (malloc'd), or NULL */
};

/* A refusal by the simulated kernel of a request the real one granted. */
struct report_event {
    uint64_t t_ns;
    uint32_t pid;
    char comm[16];
    uint32_t syscall;      /* enum tr_ev_type of the refused request */
    int err;               /* negative MM_E* the model returned */
    uint64_t length;       /* bytes asked for */
    uint64_t committed_kb; /* Committed_AS just before the request */
    uint64_t limit_kb;     /* CommitLimit at that moment */
    uint32_t stack;        /* interned stack id in the trace, 0 none */
    uint32_t alloc_type;   /* allocator call it was nested in, 0 none */
    uint64_t alloc_size;   /* that call's size argument */
    char **frames;         /* symbolised frames, nframes of them */
    uint32_t nframes;
};

/* Reclaim, swap and OOM counters of /proc/vmstat the report follows
 * (report_pressure_names[] in report.c gives their vmstat names; allocstall
 * sums allocstall_* over zones). Cumulative counts since boot. */
enum report_pressure {
    RP_PGSCAN_KSWAPD,
    RP_PGSCAN_DIRECT,
    RP_PGSTEAL_KSWAPD,
    RP_PGSTEAL_DIRECT,
    RP_ALLOCSTALL,
    RP_PSWPIN,
    RP_PSWPOUT,
    RP_OOM_KILL,
    REPORT_NR_PRESSURE
};

/* One point of the system view over time. */
struct report_sample {
    uint64_t t_ns;
    uint64_t committed_kb, limit_kb, free_kb, used_kb;
    uint64_t swap_used_kb;
    uint64_t wmark_min_kb, wmark_low_kb, wmark_high_kb;
    uint64_t pressure[REPORT_NR_PRESSURE];
};

struct report_system {
    uint64_t mem_total_kb, commit_limit_kb;
    uint64_t peak_committed_kb, t_peak_committed_ns;
    uint64_t peak_used_kb;
    uint64_t min_free_kb, t_min_free_ns;   /* tightest moment */
    uint64_t wmark_min_kb, wmark_low_kb, wmark_high_kb; /* at that moment */
    uint64_t swap_total_kb, swap_used_kb;
    uint64_t oom_kills;                    /* as the model counts them */
    bool panicked;                         /* the simulated kernel panicked */
    uint64_t peak_swap_used_kb;            /* exact, like the other peaks */
    uint64_t pressure[REPORT_NR_PRESSURE]; /* at the end */
    uint64_t nr_enomem;
    uint64_t duration_ns;
};

/* A call site (an interned call stack of the trace) of allocator calls,
 * heaptrack's figures (docs/report-json.md, "sites"). Bytes as asked for. */
struct report_site {
    uint32_t stack;          /* trace stack id; 0: calls without a stack */
    uint32_t pid;            /* the first process it was seen in */
    uint64_t allocations;    /* allocation calls (malloc, calloc, realloc...) */
    uint64_t temporary;      /* freed by the next allocator call */
    uint64_t peak_bytes;     /* its live bytes when the whole heap peaked */
    uint64_t leaked_bytes;   /* live at its process's exit or exec, or at
                                the end of the trace */
    uint64_t total_bytes;    /* bytes of all its allocations */
    uint64_t commit_peak_kb; /* its commit charge when the charge peaked
                                (replay_commit.c states the rule) */
    uint64_t rss_peak_kb;    /* its resident pages when they peaked */
    char **frames;           /* symbolised, innermost first */
    uint32_t nframes;
};

/* The figures call sites are ranked by. */
enum report_site_figure {
    RS_PEAK,        /* peak_bytes */
    RS_LEAKED,      /* leaked_bytes */
    RS_ALLOCATIONS, /* allocations */
    RS_TEMPORARY,   /* temporary */
    RS_COMMIT,      /* commit_peak_kb */
    RS_RSS,         /* rss_peak_kb */
    REPORT_NR_SITE_FIGURES
};

/* Call sites kept in a report: the largest this many by each figure. */
#define REPORT_TOP_SITES 50

/* Totals over every call site (also those not kept in sites[]). */
struct report_sites_total {
    uint64_t nr_sites;       /* distinct call sites seen */
    uint64_t allocations, temporary, peak_bytes, leaked_bytes, total_bytes;
    uint64_t t_peak_ns;      /* when the heap peaked */
    uint64_t unknown_frees;  /* frees of pointers never seen allocated */
    uint64_t commit_sites;   /* call sites that made a commit charge */
    uint64_t commit_peak_kb; /* the attributed charge at its peak */
    uint64_t rss_sites;      /* call sites that held resident pages */
    uint64_t rss_peak_kb;    /* the attributed resident pages at their peak */
};

/* Counters of the replay itself: what could not be applied. */
struct report_replay {
    uint64_t events, applied, faults, faults_unplaced, resident_ranges;
    uint64_t model_errors;     /* model said no for a reason other than ENOMEM */
    uint64_t skipped_failed;   /* events of failed processes not applied */
    uint64_t unsupported;      /* event types the model has no call for */
    uint64_t skipped_killed;   /* events of OOM-killed processes not applied */
    uint64_t skipped_panic;    /* events after a panic, not applied */
    int complete, damaged;     /* from the reader */
    uint32_t warnings;
    uint64_t incomplete;       /* TR_EV_INCOMPLETE events of the recorder */
    char incomplete_capture[256]; /* the first one's reason */
};

struct mm_report {
    char policy[256];          /* "-s ..." settings of this column */
    struct report_proc *procs;
    size_t nr_procs, cap_procs;
    struct report_system system;
    struct report_event *events;
    size_t nr_events, cap_events;
    struct report_sample samples[REPORT_MAX_SAMPLES];
    size_t nr_samples;
    uint64_t sample_step_ns;   /* current spacing of the samples */
    struct report_replay replay;
    struct report_oom *ooms;   /* OOM kills and panics, in order */
    size_t nr_ooms, cap_ooms;
    struct report_site *sites; /* the largest call sites, by each figure */
    size_t nr_sites;
    struct report_sites_total sites_total;
};

/* tools/report.c */
extern const char *const report_pressure_names[REPORT_NR_PRESSURE];
bool report_has_pressure(const struct mm_report *r);
extern const char *const report_site_figure_names[REPORT_NR_SITE_FIGURES];
uint64_t report_site_figure(const struct report_site *s,
                            enum report_site_figure k);
size_t report_top_sites(const struct mm_report *r, enum report_site_figure k,
                        const struct report_site **out, size_t max);
void report_free(struct mm_report *r);
const char *report_fate_text(const struct report_proc *p,
                             const struct mm_report *r, char *buf, size_t len);
int report_sort(struct mm_report *r, const char *column);
extern const char report_sort_columns[];

/* tools/render_text.c, render_compare.c, render_json.c */
int render_text(const struct mm_report *const *reps, size_t n, FILE *out,
                bool colour);
int render_compare_text(const struct mm_report *const *reps, size_t n,
                        FILE *out, bool colour);
int render_json(const struct mm_report *const *reps, size_t n, FILE *out);

/* tools/render_folded.c */
int render_folded(const struct mm_report *r, const char *prefix);

/* tools/render_html.c (+ render_html_chart.c, render_html_table.c) */
int render_html(const struct mm_report *const *reps, size_t n, FILE *out);

#endif /* MMSIM_TOOLS_REPORT_H */
