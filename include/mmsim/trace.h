/*
 * mmsim trace: the versioned binary file between the recorder and every tool
 * that reads recordings (replay, report, dump). docs/trace-format.md is the
 * byte-level specification; this header is its C interface.
 *
 * A trace is a file header (magic, TR_VERSION, the recording machine's facts)
 * followed by independent checksummed chunks of zstd-compressed records:
 * events (struct tr_event, include/mmsim/event.h), interned strings,
 * interned stacks and module map entries. The last chunk is an end marker
 * with totals, so a reader can tell a complete trace from a cut one.
 *
 * Errors are values: 0 or a negative MM_E* code from include/mmsim/mm.h
 * (mm_strerror() names them).
 */
#ifndef MMSIM_TRACE_H
#define MMSIM_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "mmsim/event.h"
#include "mmsim/mm.h"

/* The format version this code writes, and the oldest it reads. */
#define TR_VERSION 2u
#define TR_VERSION_MIN 1u

/* Limits a writer respects and a reader enforces (bigger is damage). */
#define TR_TIME_RES_MAX 1000000000ull /* coarsest time resolution: 1 s */
#define TR_STRING_MAX 65536u    /* bytes in one interned string */
#define TR_STACK_MAX 1024u      /* frames in one interned stack */
#define TR_BUILD_ID_MAX 64u     /* bytes of a module's build ID */
#define TR_CHUNK_MIN (256u << 10) /* writer buffer bounds */
#define TR_CHUNK_DEFAULT (1u << 20)
#define TR_CHUNK_MAX (16u << 20)  /* payload bytes, either form */
/* zstd level of the writer. The recorder compresses while the program
 * runs and, for allocation-heavy programs, is what the program waits for:
 * level 6 made traces 7-9 % smaller but a malloc loop's recording 70 %
 * slower than level 3 (tools/bench/bench-trace-size.sh). */
#define TR_ZSTD_LEVEL 3
#define TR_HEADER_MAX (16u << 20) /* file header body bytes */

/* One extra machine fact: a name (a /proc path, say) and its text. */
struct tr_kv {
    const char *name;
    const char *value;
};

/*
 * The recording machine's facts, so `--machine recorded` can replay on the
 * recorder's shape. Text fields are NUL-terminated; NULL means not recorded.
 */
struct tr_header {
    const char *tool;           /* "mmsim 0.1.0" */
    const char *kernel_release; /* uname -r */
    const char *hostname;       /* optional */
    uint32_t page_size;         /* sysconf(_SC_PAGESIZE) */
    const char *thp_enabled;    /* .../transparent_hugepage/enabled text */
    const char *thp_defrag;     /* .../transparent_hugepage/defrag text */
    const char *sysctl_vm;      /* "name=value\n" per /proc/sys/vm entry */
    const char *meminfo;        /* /proc/meminfo text */
    const char *zoneinfo;       /* /proc/zoneinfo text */
    const char *cmdline;        /* recorded command, NUL-separated args */
    size_t cmdline_len;         /* bytes in cmdline, the NULs included */
    uint64_t start_realtime_ns; /* CLOCK_REALTIME at the start */
    uint64_t start_monotonic_ns; /* CLOCK_MONOTONIC at the same instant */
    const struct tr_kv *extra;  /* other facts (/proc/swaps, NUMA, ...) */
    uint32_t nr_extra;
};

/*
 * A module (ELF object) mapped into an address space, for offline
 * symbolisation of stack addresses: ip - base + file offset of the mapping's
 * first page gives the address in the file named by path.
 */
struct tr_module {
    uint64_t t_ns;   /* CLOCK_MONOTONIC when the mapping was seen */
    uint32_t pid;    /* the address space */
    uint32_t path;   /* interned string id of the file */
    uint64_t base;   /* load address of the object (lowest mapping) */
    uint64_t size;   /* bytes from base to the end of its last mapping */
    uint64_t offset; /* file offset mapped at base */
    uint32_t build_id_len;
    uint8_t build_id[TR_BUILD_ID_MAX];
};

/* ---- writer (trace/writer.c) ----------------------------------------- */

/*
 * A writer is not thread-safe: one thread calls it, or the caller
 * serialises the calls. Memory is allocated at open and when the intern
 * tables grow; appending an event never allocates. Output is write(2) to
 * the regular file it created, a chunk at a time.
 */
struct tr_writer;

enum tr_writer_flags {
    TR_W_REPLACE = 1u << 0, /* unlink an existing file (never follows a
                               symlink: the link itself is removed) */
};

struct tr_writer_opts {
    uint32_t flags;       /* enum tr_writer_flags */
    uint32_t chunk_bytes; /* uncompressed chunk size; 0 = TR_CHUNK_DEFAULT */
    int zstd_level;       /* 0 = TR_ZSTD_LEVEL */
    uint64_t time_res_ns; /* allocator calls' times rounded down to a
                             multiple of this (0 or 1 = exact); at most
                             TR_TIME_RES_MAX */
};

/**
 * tr_writer_open() - create a trace file and write its header
 * @out: receives the writer
 * @path: file to create (mode 0600, O_EXCL, never through a symlink)
 * @hdr: the recording machine's facts (NULL: none recorded)
 * @opts: NULL for defaults
 *
 * Return: 0; MM_EEXIST if @path exists (or is a symlink) and TR_W_REPLACE is
 * not set; MM_EINVAL for bad options; MM_ENOMEM; MM_EIO/MM_ENOSPC/MM_EACCES
 * from the file system.
 */
int tr_writer_open(struct tr_writer **out, const char *path,
                   const struct tr_header *hdr,
                   const struct tr_writer_opts *opts);

/**
 * tr_writer_string() - intern a string (a path, a comm)
 * @w: the writer
 * @s: bytes, not necessarily NUL-terminated
 * @len: at most TR_STRING_MAX
 * @id: receives its id (>= 1); equal strings get equal ids
 *
 * The definition is written before any record that can use the id.
 * Return: 0, MM_ERANGE for a long string, or a write error.
 */
int tr_writer_string(struct tr_writer *w, const char *s, size_t len,
                     uint32_t *id);

/**
 * tr_writer_stack() - intern a call stack of raw instruction pointers
 * @w: the writer
 * @ips: innermost frame first
 * @n: 1..TR_STACK_MAX frames
 * @id: receives its id (>= 1); equal stacks get equal ids
 *
 * Return: 0, MM_ERANGE for a bad @n, or a write error.
 */
int tr_writer_stack(struct tr_writer *w, const uint64_t *ips, uint32_t n,
                    uint32_t *id);

/**
 * tr_writer_module() - record a module mapping
 * @w: the writer
 * @m: the module; m->path is a string id from tr_writer_string()
 * @id: receives the module id (>= 1), or NULL
 *
 * Return: 0, MM_ERANGE for a long build ID, MM_EINVAL for an undefined
 * path id, or a write error.
 */
int tr_writer_module(struct tr_writer *w, const struct tr_module *m,
                     uint32_t *id);

/**
 * tr_writer_event() - append one event
 * @w: the writer
 * @ev: the event; ev->str and ev->stack are 0 or ids already interned
 *
 * An allocator call's time is stored rounded down to the writer's time
 * resolution; other events keep theirs.
 * Return: 0, MM_EINVAL for an undefined id, or a write error.
 */
int tr_writer_event(struct tr_writer *w, const struct tr_event *ev);

/**
 * tr_writer_flush() - write the buffered records out as one chunk
 * @w: the writer
 *
 * Return: 0 or the write error (sticky: later calls return it too).
 */
int tr_writer_flush(struct tr_writer *w);

/**
 * tr_writer_close() - flush, write the end chunk, close and free
 * @w: the writer (freed even on error); NULL is a no-op
 *
 * Return: 0 or the first error the writer met.
 */
int tr_writer_close(struct tr_writer *w);

/* Counters of a writer, for tools that report what they wrote. */
struct tr_writer_stats {
    uint64_t bytes;   /* file size so far */
    uint64_t events;
    uint32_t chunks;  /* data chunks written */
    uint32_t strings;
    uint32_t stacks;
    uint32_t modules;
};

/** tr_writer_get_stats() - copy the writer's counters into @st. */
void tr_writer_get_stats(const struct tr_writer *w, struct tr_writer_stats *st);

/* ---- reader (trace/reader.c) ----------------------------------------- */

/*
 * One reader, many consumers: the reader calls these as it decodes. Any
 * callback may be NULL. A non-zero return from a callback stops reading and
 * is returned by tr_read(). Pointers passed in are valid only during the
 * call. Definitions (strings, stacks, modules) always come before the
 * events that use them.
 */
struct tr_consumer {
    int (*on_header)(void *arg, uint32_t version, const struct tr_header *h);
    int (*on_event)(void *arg, const struct tr_event *ev);
    int (*on_string)(void *arg, uint32_t id, const char *s, size_t len);
    int (*on_stack)(void *arg, uint32_t id, const uint64_t *ips, uint32_t n);
    int (*on_module)(void *arg, uint32_t id, const struct tr_module *m);
    /* Damage or oddity at byte @offset of the file; reading goes on. */
    void (*on_warning)(void *arg, uint64_t offset, const char *msg);
};

/* What a read saw. damaged is set whenever a warning was given. */
struct tr_read_stats {
    uint32_t version;
    uint64_t bytes;          /* bytes of the file read */
    uint64_t events;
    uint32_t chunks;         /* good data chunks */
    uint32_t bad_chunks;     /* skipped: checksum, decode or id errors */
    uint64_t unknown_records; /* records with tags this reader skips */
    uint64_t lost_refs;      /* events using ids defined in lost chunks */
    uint32_t warnings;
    int damaged;             /* 1 if anything was lost or looked wrong */
    int complete;            /* 1 if the end chunk was read and matched */
    char error[256];         /* why tr_read() failed, when it did */
};

/**
 * tr_read_fd() - stream a trace from an open file descriptor
 * @fd: read with read(2) from its current position to EOF
 * @c: the consumer's callbacks
 * @arg: passed to every callback
 * @st: receives counters and, on failure, the error message; may be NULL
 *
 * Memory use is bounded by the largest chunk, whatever the trace's size.
 * Damaged chunks are skipped with a warning; reading resumes at the next
 * chunk magic.
 * Return: 0 when the file was read to its end (even with warnings); a
 * callback's non-zero value; MM_EINVAL if this is not an mmsim trace;
 * MM_ENOTSUP for a newer format version; MM_EIO; MM_ENOMEM.
 */
int tr_read_fd(int fd, const struct tr_consumer *c, void *arg,
               struct tr_read_stats *st);

/**
 * tr_read_file() - tr_read_fd() on a file opened by name
 * @path: the trace
 * @c: the consumer's callbacks
 * @arg: passed to every callback
 * @st: as for tr_read_fd(); may be NULL
 *
 * Return: as tr_read_fd(), or MM_ENOENT/MM_EACCES/MM_EIO from open(2).
 */
int tr_read_file(const char *path, const struct tr_consumer *c, void *arg,
                 struct tr_read_stats *st);

/* ---- names (trace/names.c) ------------------------------------------- */

/**
 * tr_ev_type_name() - lower-case name of an event type ("mmap")
 * @type: an enum tr_ev_type value
 *
 * Return: a static string, or NULL for a value this version does not know.
 */
const char *tr_ev_type_name(uint32_t type);

#endif /* MMSIM_TRACE_H */
