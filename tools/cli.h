/*
 * tools/cli.h - declarations shared by the mmsim command's files.
 * Grouped by the file that defines them.
 */
#ifndef MMSIM_TOOLS_CLI_H
#define MMSIM_TOOLS_CLI_H

#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* Exit codes: 0 ok, 1 bad input or runtime error, 2 usage. */
enum { CLI_EXIT_OK = 0, CLI_EXIT_ERROR = 1, CLI_EXIT_USAGE = 2 };

struct cli_verb {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the verb */
    const char *summary;
};

/* tools/mmsim.c */
const struct cli_verb *cli_find_verb(const char *name);
void cli_print_usage(FILE *out);
bool cli_wants_help(int argc, char **argv);

/* tools/cmd_compare.c */
int cmd_compare(int argc, char **argv);

/* tools/cmd_dump.c */
int cmd_dump(int argc, char **argv);

/* tools/cmd_fidelity.c */
int cmd_fidelity(int argc, char **argv);

/* tools/cmd_help.c */
int cmd_help(int argc, char **argv);

/* tools/cmd_proc.c */
int cmd_proc(int argc, char **argv);

/* tools/cmd_proc_trace.c */
struct cli_config;
int cmd_proc_trace(const struct cli_config *cfg, const char *trace,
                   const char *at, const char *path);

/* tools/cmd_sysctl.c */
int cmd_sysctl(int argc, char **argv);
/* tools/cmd_report.c */
int cmd_report(int argc, char **argv);

/* tools/cmd_run.c */
int cmd_run(int argc, char **argv);

/* tools/cmd_record.c */
int cmd_record(int argc, char **argv);
void cmd_record_note_setuid(const char *verb, const char *prog);

/* tools/cmd_record_child.c */
struct sup_fast;
void cmd_record_signals(pid_t child, int tick_on, struct sup_fast *fast);
int cmd_record_pass_status(int st);
void cmd_record_gaps(const char *verb, uint64_t gaps);

/* tools/cmd_record_out.c */
struct sup_sink;
struct sup_sink *cmd_record_out_open(const char *path, char **argv,
                                     uint64_t time_res_ns, int *err);
int cmd_record_out_close(struct sup_sink *sink, uint64_t *events);
int cmd_record_out_string(struct sup_sink *sink, const char *s, uint32_t *id);
int cmd_record_out_syscall_stacks(struct sup_sink *sink);
/* tools/run_unwind.c */
struct run_unwinder;
uint32_t run_unwind(pid_t pid, pid_t tid, uint64_t *ips, uint32_t max);
struct run_unwinder *run_unwinder_new(void);
void run_unwinder_forget(struct run_unwinder *u, pid_t pid);
void run_unwinder_free(struct run_unwinder *u);
uint32_t run_unwinder_stack(struct run_unwinder *u, pid_t pid, pid_t tid,
                            uint64_t *ips, uint32_t max);
/* tools/cmd_record_fast.c */
struct sup_run;
struct sup_ip_range;
int cmd_record_fast_setup(struct sup_run *r, struct sup_ip_range *ip);

#endif /* MMSIM_TOOLS_CLI_H */
