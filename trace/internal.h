/*
 * trace/internal.h - the trace library's cross-file pieces: byte layout
 * constants, the record codec primitives, the writer's intern tables and the
 * reader's chunk decoder. docs/trace-format.md specifies every byte.
 *
 * Declarations are grouped under the .c file that defines them; cross-file
 * functions carry the tr__ prefix.
 */
#ifndef MMSIM_TRACE_INTERNAL_H
#define MMSIM_TRACE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "mmsim/trace.h"

/* File header: magic, version, body length, crc32c, then the body. */
#define TR__FILE_MAGIC "\x89MMSIMTR"
#define TR__MAGIC_LEN 8u
#define TR__FILE_HDR_LEN 20u

/* Chunk header: 64 bytes, little-endian; see docs/trace-format.md. */
#define TR__CHUNK_MAGIC "\x89MMCHUNK"
#define TR__CHUNK_HDR_LEN 64u

enum tr__chunk_kind { TR__CHUNK_DATA = 1, TR__CHUNK_END = 2 };
enum tr__codec { TR__CODEC_RAW = 0, TR__CODEC_ZSTD = 1 };

/* Record tags in chunk payloads. */
enum tr__rec_tag {
    TR__REC_EVENT = 1,
    TR__REC_STRING = 2,
    TR__REC_STACK = 3,
    TR__REC_MODULE = 4,
    TR__REC_END = 5,
    TR__REC_BLOCK = 6, /* version 2: a block of events in columns */
};

/* Field tags in the file header body. */
enum tr__hdr_tag {
    TR__H_TOOL = 1,
    TR__H_KERNEL_RELEASE = 2,
    TR__H_HOSTNAME = 3,
    TR__H_PAGE_SIZE = 4,
    TR__H_THP_ENABLED = 5,
    TR__H_THP_DEFRAG = 6,
    TR__H_SYSCTL_VM = 7,
    TR__H_MEMINFO = 8,
    TR__H_ZONEINFO = 9,
    TR__H_CMDLINE = 10,
    TR__H_START_REALTIME = 11,
    TR__H_START_MONOTONIC = 12,
    TR__H_EXTRA = 13,
};

/*
 * Event field presence bits (the record's mask), in the order the values
 * follow. The common fields come first so the mask of a malloc or a free
 * fits one varint byte; the stack id before the arguments it predicts
 * compresses better (measured on a malloc loop: 6.0 against 6.2 bytes per
 * event).
 */
enum tr__ev_bits {
    TR__EB_STACK = 1u << 0,
    TR__EB_A0 = 1u << 1,
    TR__EB_A1 = 1u << 2,
    TR__EB_RET = 1u << 3,
    TR__EB_TID = 1u << 4, /* absent: same as the previous event's */
    TR__EB_PID = 1u << 5, /* absent: same as the previous event's */
    TR__EB_FLAGS = 1u << 6,
    TR__EB_STR = 1u << 7,
    TR__EB_A2 = 1u << 8, /* a[2..5]: bits 8..11 */
    TR__EB_DEV = 1u << 12,
    TR__EB_INO = 1u << 13,
    TR__EB_NR = 14,
    /* Version 2 only: the pointer in a[0] / ret is a ring reference. */
    TR__EB_A0_REF = 1u << 14,
    TR__EB_RET_REF = 1u << 15,
};

/* Per-chunk state of the version 1 event decoder: implied values for the
 * next event. */
struct tr__ev_state {
    uint64_t t_ns;
    uint32_t pid;
    uint32_t tid;
};

/* A decoded chunk header. */
struct tr__chunk_hdr {
    uint16_t kind;
    uint16_t codec;
    uint32_t seq;
    uint32_t stored_len;
    uint32_t raw_len;
    uint32_t nr_events;
    uint32_t nr_records;
    uint64_t first_ts;
    uint32_t first_string; /* id the first string defined here gets */
    uint32_t first_stack;
    uint32_t first_module;
    uint32_t payload_crc;
};

/* Totals carried by the end chunk's END record. */
struct tr__totals {
    uint64_t chunks;
    uint64_t events;
    uint64_t strings;
    uint64_t stacks;
    uint64_t modules;
};

/* ---- trace/codec.c --------------------------------------------------- */

/* A bounded cursor over bytes being decoded; err sticks once set. */
struct tr__cur {
    const uint8_t *p;
    const uint8_t *end;
    int err;
};

uint32_t tr__crc32c(uint32_t crc, const void *data, size_t len);
uint32_t tr__crc32c_sw(uint32_t crc, const void *data, size_t len);
uint64_t tr__hash(const void *data, size_t len);
size_t tr__put_varint(uint8_t *p, uint64_t v);
uint64_t tr__zigzag(int64_t v);
int64_t tr__unzigzag(uint64_t v);
uint64_t tr__get_varint(struct tr__cur *c);
uint32_t tr__get_u32id(struct tr__cur *c);
void tr__put_le16(uint8_t *p, uint16_t v);
void tr__put_le32(uint8_t *p, uint32_t v);
void tr__put_le64(uint8_t *p, uint64_t v);
uint16_t tr__get_le16(const uint8_t *p);
uint32_t tr__get_le32(const uint8_t *p);
uint64_t tr__get_le64(const uint8_t *p);
void tr__chunk_hdr_encode(uint8_t *out, const struct tr__chunk_hdr *h);
int tr__chunk_hdr_decode(const uint8_t *in, struct tr__chunk_hdr *h);
int tr__event_decode(struct tr__cur *c, struct tr__ev_state *s,
                     struct tr_event *ev);
void tr__event_values(const struct tr_event *ev, uint64_t *v);
int tr__values_event(const uint64_t *v, struct tr_event *ev);

/* ---- trace/block.c, block_dec.c: the version 2 event block ----------- */

/*
 * Columns of an event block, in the order they are stored. Each field of an
 * event goes to one column by its kind (tr__blk_fields()), so every column
 * holds values of one distribution and compresses well.
 */
enum tr__col {
    TR__COL_HEAD,   /* type, mask */
    TR__COL_TIME,   /* time differences */
    TR__COL_THREAD, /* thread slot references, new (tid, pid) pairs */
    TR__COL_PTR,    /* heap pointers of allocator events */
    TR__COL_SIZE,   /* the other arguments and results of allocator events */
    TR__COL_STACK,  /* stack ids */
    TR__COL_OTHER,  /* every other field */
    TR__NR_COLS,
};

#define TR__SLOTS 64u   /* threads a block tracks at once */
#define TR__RING 1024u  /* pointers each ring remembers (a power of two) */
#define TR__INDEX 2048u /* writer's lookup entries per ring (power of two) */

enum tr__ring_kind { TR__RING_ALLOC, TR__RING_FREED, TR__NR_RINGS };

/* What a block's codec knows about one (tid, pid): its predictors. */
struct tr__slot {
    uint32_t tid;
    uint32_t pid;
    uint64_t t_ns;     /* time of its last event */
    uint64_t ptr;      /* its last heap pointer */
    uint32_t last_use; /* index in the block of its last event (LRU) */
    uint32_t count[TR__NR_RINGS]; /* pointers ever pushed on each ring */
    uint64_t ring[TR__NR_RINGS][TR__RING];
};

/* The state both sides of a block's codec keep, reset at each block. */
struct tr__blk {
    uint64_t t_ns;    /* previous event's time; the chunk's first at start */
    uint64_t unit;    /* allocator calls' times: multiples, stored in units */
    uint32_t events;  /* events coded so far in the block */
    uint32_t nr_slots;
    int32_t cur;      /* slot of the previous event; -1 at block start */
    struct tr__slot *slots; /* TR__SLOTS */
};

/* The writer's side: the state, the columns being filled, lookup tables. */
struct tr__blk_enc {
    struct tr__blk b;
    uint8_t *col[TR__NR_COLS];  /* each as large as the chunk buffer */
    uint32_t len[TR__NR_COLS];
    uint32_t total;             /* bytes in all columns */
    uint32_t (*index)[TR__NR_RINGS][TR__INDEX]; /* per slot: ring positions */
};

/* Worst-case bytes one event adds to the columns, and a block's header. */
#define TR__BLK_EVENT_MAX (5u + 3u + 10u + 21u + 10u * TR__EB_NR)
#define TR__BLK_HDR_MAX (2u + 10u + 10u + 1u + 10u + 10u * TR__NR_COLS)

/* Allocator calls (types 64-70): their own columns, and the time unit. */
static inline int tr__blk_is_alloc(uint32_t type)
{
    return type >= TR_EV_MALLOC && type <= TR_EV_USABLE_SIZE;
}

/* How one field of one kind of event is coded in a block. */
struct tr__blk_field {
    int8_t col;  /* enum tr__col */
    int8_t ring; /* a heap pointer: the ring it is looked up in, else -1 */
    int8_t push; /* the ring it is pushed on once coded, or -1 */
};
extern const struct tr__blk_field tr__blk_field_rows[8][TR__EB_NR];

/* The coding of each field (mask bit) of events of @type. */
static inline const struct tr__blk_field *tr__blk_fields(uint32_t type)
{
    return tr__blk_field_rows[tr__blk_is_alloc(type) ? type - 63 : 0];
}
int tr__blk_alloc(struct tr__blk *b);
void tr__blk_free(struct tr__blk *b);
void tr__blk_reset(struct tr__blk *b, uint64_t first_ts);
uint32_t tr__blk_new_slot(struct tr__blk *b, uint32_t tid, uint32_t pid);
void tr__blk_push(struct tr__slot *s, int ring, uint64_t ptr);
int tr__blk_enc_init(struct tr__blk_enc *e, uint32_t cap, uint64_t unit);
void tr__blk_enc_free(struct tr__blk_enc *e);
void tr__blk_enc_reset(struct tr__blk_enc *e, uint64_t first_ts);
void tr__blk_encode(struct tr__blk_enc *e, const struct tr_event *ev);
size_t tr__blk_finish(struct tr__blk_enc *e, uint8_t *out);
int tr__blk_decode(struct tr__blk *b, struct tr__cur *cols,
                   struct tr_event *ev);
int tr__blk_open(struct tr__cur *body, struct tr__cur *cols, uint32_t *n,
                 uint64_t *unit);

/* ---- trace/header.c -------------------------------------------------- */

int tr__header_encode(const struct tr_header *h, uint8_t **out, size_t *len);
int tr__header_deliver(const uint8_t *body, size_t len, uint32_t version,
                       const struct tr_consumer *c, void *arg,
                       uint64_t *unknown);

/* ---- trace/intern.c -------------------------------------------------- */

/* Interned byte strings: id by content, ids dense from 1. */
struct tr__intern {
    struct tr__islot *slots;
    uint32_t cap;   /* power of two, or 0 */
    uint32_t count;
    uint8_t *arena; /* the keys, back to back, 8-byte aligned */
    size_t alen;
    size_t acap;
};

int tr__intern_lookup(struct tr__intern *t, const void *key, uint32_t len,
                      uint32_t *id);
int tr__intern_add(struct tr__intern *t, const void *key, uint32_t len,
                   uint32_t id);
void tr__intern_free(struct tr__intern *t);

/* ---- trace/reader_chunk.c -------------------------------------------- */

/* Definition ranges [first, last] lost with damaged chunks. */
struct tr__lost {
    uint32_t first;
    uint32_t last;
};

#define TR__LOST_MAX 4096u

/* What the reader knows about ids; advanced by each good chunk. */
struct tr__ids {
    uint32_t next_string;
    uint32_t next_stack;
    uint32_t next_module;
    struct tr__lost *lost_strings; /* TR__LOST_MAX each */
    struct tr__lost *lost_stacks;
    uint32_t nr_lost_strings;
    uint32_t nr_lost_stacks;
};

/* The decoder's view of one chunk. */
struct tr__chunk_in {
    const struct tr__chunk_hdr *hdr;
    const uint8_t *payload; /* raw_len bytes, decompressed */
    uint64_t offset;        /* of the chunk in the file */
};

/* Reader-side callbacks plus scratch for decoding. */
struct tr__dec {
    const struct tr_consumer *c;
    uint32_t version;  /* of the file: how events are coded */
    struct tr__blk blk; /* the version 2 block decoder's state */
    void *arg;
    struct tr__ids *ids;
    uint64_t *frames;  /* TR_STACK_MAX */
    char *strbuf;      /* TR_STRING_MAX + 1 */
    uint64_t unknown;  /* unknown records seen (delivery pass) */
    uint64_t lost_refs;
    struct tr__totals totals; /* from an END record */
    int have_totals;
    int stop;          /* a callback's non-zero return */
    char why[128];     /* why a chunk did not decode */
};

int tr__chunk_decode(struct tr__dec *d, const struct tr__chunk_in *in,
                     int deliver);

#endif /* MMSIM_TRACE_INTERNAL_H */
