/*
 * intern.c - the writer's intern tables: byte strings (paths, comms, or a
 * stack's frames) to dense ids, so each distinct one is written once.
 * Open addressing with linear probing, keyed by a 64-bit hash and confirmed
 * by comparing bytes; keys live back to back in one growing arena.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct tr__islot {
    uint64_t hash;
    uint64_t off; /* of the key in the arena */
    uint32_t len;
    uint32_t id;  /* 0: empty slot */
};

static int slot_matches(const struct tr__intern *t, const struct tr__islot *s,
                        uint64_t hash, const void *key, uint32_t len)
{
    return s->hash == hash && s->len == len &&
           memcmp(t->arena + s->off, key, len) == 0;
}

/**
 * tr__intern_lookup() - find the id of @key
 * @t: the table
 * @key: the bytes
 * @len: their number
 * @id: receives the id if found
 *
 * Return: 1 if found, 0 if not.
 */
int tr__intern_lookup(struct tr__intern *t, const void *key, uint32_t len,
                      uint32_t *id)
{
    if (!t->cap)
        return 0;
    uint64_t h = tr__hash(key, len);
    for (uint32_t i = (uint32_t)h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        const struct tr__islot *s = &t->slots[i];
        if (!s->id)
            return 0;
        if (slot_matches(t, s, h, key, len)) {
            *id = s->id;
            return 1;
        }
    }
}

static void place(struct tr__islot *slots, uint32_t cap,
                  const struct tr__islot *s)
{
    uint32_t i = (uint32_t)s->hash & (cap - 1);

    while (slots[i].id)
        i = (i + 1) & (cap - 1);
    slots[i] = *s;
}

static int grow_slots(struct tr__intern *t)
{
    uint32_t cap = t->cap ? t->cap * 2 : 1024;

    if (cap < t->cap)
        return MM_ENOMEM;
    struct tr__islot *slots = calloc(cap, sizeof(*slots));
    if (!slots)
        return MM_ENOMEM;
    for (uint32_t i = 0; i < t->cap; i++)
        if (t->slots[i].id)
            place(slots, cap, &t->slots[i]);
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return 0;
}

static int arena_append(struct tr__intern *t, const void *key, uint32_t len,
                        uint64_t *off)
{
    size_t need = t->alen + ((len + 7u) & ~7u);

    if (need > t->acap) {
        size_t cap = t->acap ? t->acap : 65536;
        while (cap < need)
            cap *= 2;
        uint8_t *a = realloc(t->arena, cap);
        if (!a)
            return MM_ENOMEM;
        t->arena = a;
        t->acap = cap;
    }
    if (len)
        memcpy(t->arena + t->alen, key, len);
    *off = t->alen;
    t->alen = need;
    return 0;
}

/**
 * tr__intern_add() - remember @key under @id (not already present)
 * @t: the table
 * @key: the bytes
 * @len: their number
 * @id: its id, non-zero
 *
 * Return: 0 or MM_ENOMEM.
 */
int tr__intern_add(struct tr__intern *t, const void *key, uint32_t len,
                   uint32_t id)
{
    struct tr__islot s = {tr__hash(key, len), 0, len, id};
    int rc;

    if ((uint64_t)(t->count + 1) * 4 > (uint64_t)t->cap * 3 &&
        (rc = grow_slots(t)) != 0)
        return rc;
    if ((rc = arena_append(t, key, len, &s.off)) != 0)
        return rc;
    place(t->slots, t->cap, &s);
    t->count++;
    return 0;
}

/** tr__intern_free() - release the table's storage. */
void tr__intern_free(struct tr__intern *t)
{
    free(t->slots);
    free(t->arena);
    memset(t, 0, sizeof(*t));
}
