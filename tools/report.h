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

/* One point of the system view over time. */
struct report_sample {
    uint64_t t_ns;
    uint64_t committed_kb, limit_kb, free_kb, used_kb;
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
    uint64_t nr_enomem;
    uint64_t duration_ns;
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
};

/* tools/report.c */
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

#endif /* MMSIM_TOOLS_REPORT_H */
