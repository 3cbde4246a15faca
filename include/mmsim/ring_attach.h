/*
 * mmsim shared ring, part 4: the shim's side of attaching to the ring it
 * inherited (the fd number in TR_RING_ENV, validated before it is trusted).
 * The protocol is described in mmsim/ring.h (which includes this file).
 */
#ifndef MMSIM_RING_ATTACH_H
#define MMSIM_RING_ATTACH_H

#include "mmsim/ring.h"

/**
 * tr_ring_parse_fd() - parse the value of TR_RING_ENV.
 * @s: the string (may be NULL).
 *
 * Return: the fd number (3..65535), or -1 if @s is not exactly that.
 */
static inline int tr_ring_parse_fd(const char *s)
{
    int v = 0;

    if (s == NULL || *s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 65535)
            return -1;
        v = v * 10 + (*s - '0');
    }
    return (v >= 3 && v <= 65535) ? v : -1;
}

/**
 * tr_ring_attach_fd() - validate a ring fd and map it (shim side).
 * @fd: the inherited fd.
 *
 * Checks, in order: a regular file whose seals are exactly TR_RING_SEALS
 * (only memfds have seals), a size that holds a header, the magic, version
 * and slot size, and a size equal to what the header's nslots implies.
 *
 * Return: the mapping, or NULL if anything does not match (the caller
 * ignores the ring then).
 */
static inline struct tr_ring_hdr *tr_ring_attach_fd(int fd)
{
    struct tr_ring_hdr h0, *h;
    struct stat st;
    void *m;

    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 8192)
        return NULL;
    if (fcntl(fd, F_GET_SEALS) != TR_RING_SEALS)
        return NULL;
    if (pread(fd, &h0, sizeof(h0), 0) != (ssize_t)sizeof(h0))
        return NULL;
    if (h0.magic != TR_RING_MAGIC || h0.version != TR_RING_VERSION ||
        h0.slot_size != TR_RING_SLOT_SIZE || h0.nslots < TR_RING_MIN_SLOTS ||
        h0.nslots > TR_RING_MAX_SLOTS || (h0.nslots & (h0.nslots - 1)) ||
        h0.nmmlocks != TR_RING_MMLOCKS || h0.mmlocks_off != 4096 ||
        h0.total_size != tr_ring_bytes(h0.nslots) ||
        h0.slots_off != h0.total_size - (uint64_t)h0.nslots * TR_RING_SLOT_SIZE ||
        (uint64_t)st.st_size != h0.total_size)
        return NULL;
    m = mmap(NULL, h0.total_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        return NULL;
    h = (struct tr_ring_hdr *)m;
    return h;
}

#endif /* MMSIM_RING_ATTACH_H */
