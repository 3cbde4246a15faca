/*
 * tests/trace/util.h - helpers shared by the trace tests: a consumer that
 * collects everything the reader delivers, a generator of sample traces,
 * and temporary files.
 */
#ifndef MMSIM_TESTS_TRACE_UTIL_H
#define MMSIM_TESTS_TRACE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "mmsim/trace.h"

/* Everything one read delivered. */
struct collect {
    int header_seen;
    uint32_t version;
    char kernel_release[64];
    uint32_t page_size;
    struct tr_event *events;
    size_t nr_events;
    size_t cap_events;
    uint32_t strings;      /* on_string calls */
    uint32_t last_string;  /* its id */
    uint32_t stacks;
    uint32_t last_stack;
    uint64_t stack_sum;    /* sum of every delivered frame */
    uint32_t modules;
    uint32_t warnings;
    char last_warning[256];
    char all_warnings[4096];
};

extern const struct tr_consumer collect_consumer;

/* Read @path into @c (zeroed first); returns tr_read_file()'s value. */
int collect_file(const char *path, struct collect *c, struct tr_read_stats *st);
/* Same for a byte buffer, through a pipe-less memfd. */
int collect_bytes(const uint8_t *data, size_t len, struct collect *c,
                  struct tr_read_stats *st);
void collect_free(struct collect *c);

/* A temporary directory for the test, removed by tmp_cleanup(). */
const char *tmp_dir(void);
/* @name inside tmp_dir() (a static buffer: copy it to keep two). */
const char *tmp_path(const char *name);
void tmp_cleanup(void);

/* Read a whole file into a malloc'd buffer. */
uint8_t *slurp(const char *path, size_t *len);
/* Write @len bytes to @path (created or truncated). */
void spit(const char *path, const uint8_t *data, size_t len);

/* A header with every field set. */
void sample_header(struct tr_header *h);

/*
 * The event the generator writes as number @i (deterministic in @seed):
 * mostly malloc/free with stacks, some mmaps with paths.
 */
void sample_event(uint64_t seed, uint64_t i, struct tr_event *ev);

/*
 * Write a trace of @n sample events to @path, flushing a chunk every
 * @per_chunk events (0: only when the buffer fills). Strings and stacks are
 * interned by the writer from sample_event()'s choices.
 * Returns the writer's stats.
 */
struct tr_writer_stats write_sample(const char *path, uint64_t seed,
                                    uint64_t n, uint64_t per_chunk);

#endif /* MMSIM_TESTS_TRACE_UTIL_H */
