/*
 * filemap.c - page-cache objects: one per mapped file (dev, ino), shared by
 * every process that maps it, and one per shared anonymous mapping (the
 * kernel's "dev/zero" shmem inode, charged to Committed_AS in full).
 *
 * Mirrors mm/filemap.c (the page cache as seen by faults) and mm/shmem.c
 * (shmem_zero_setup, shmem_acct_size/shmem_unacct_size, shmem_evict_inode,
 * shmem_fallocate hole punch). Callers: mmap.c (objects), memory.c (cache
 * pages), mprotect.c (MADV_REMOVE), fork.c (teardown).
 *
 * Reclaim (model/vmscan_lru.c) drops clean file pages from their cache
 * (mm__filemap_remove_folio) and writes shmem pages to swap
 * (mm__shmem_writepage): the index then holds the swap slot
 * (MM_SHMEM_SWAPPED | slot) until the page is faulted back in.
 *
 * Simplified: file sizes are unknown; a shared anonymous object
 * lives exactly as long as some VMA maps it (no SysV/memfd references).
 * Objects the trace names on device 00:01 (snapshots, memfd) are shared by
 * inode number and carry no charge; memfd's per-page charging
 * (shmem_acct_blocks) is not modelled.
 */
#include <stdlib.h>

#include "internal.h"

static uint64_t file_hash(uint64_t dev, uint64_t ino)
{
    uint64_t x = dev * 0x9e3779b97f4a7c15ull ^ ino;
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 29;
    return x == UINT64_MAX ? 0 : x;
}

static struct mm_file *file_at(const struct mm_sim *sim, uint64_t key)
{
    uint64_t v;
    return mm__hmap_get(&sim->files, key, &v) ? (struct mm_file *)(uintptr_t)v
                                               : NULL;
}

static struct mm_file *file_new(struct mm_sim *sim, uint64_t dev, uint64_t ino)
{
    uint64_t key = file_hash(dev, ino);
    while (file_at(sim, key))
        key = key + 1 == UINT64_MAX ? 0 : key + 1;
    struct mm_file *file = calloc(1, sizeof(*file));
    if (!file)
        return NULL;
    file->dev = dev;
    file->ino = ino;
    file->key = key;
    if (mm__hmap_put(&sim->files, key, (uint64_t)(uintptr_t)file)) {
        free(file);
        return NULL;
    }
    return file;
}

/**
 * mm__file_get() - the page cache of file (@dev, @ino), with a new reference
 * @sim: the simulator
 * @dev: device
 * @ino: inode
 *
 * Return: the object (created on first use) or NULL (host out of memory).
 * Kernel: the inode's address_space reached through vma->vm_file.
 */
struct mm_file *mm__file_get(struct mm_sim *sim, uint64_t dev, uint64_t ino)
{
    uint64_t key = file_hash(dev, ino);
    struct mm_file *file;
    while ((file = file_at(sim, key)) && (file->shmem || file->dev != dev ||
                                          file->ino != ino))
        key = key + 1 == UINT64_MAX ? 0 : key + 1;
    if (!file)
        file = file_new(sim, dev, ino);
    if (file)
        file->vmas++;
    return file;
}

/**
 * mm__shmem_new() - the object behind a new MAP_SHARED|MAP_ANONYMOUS mapping
 * @sim: the simulator
 *
 * Its identity is what maps shows: device 00:01 and a new inode number.
 * The caller charges it (shmem_acct_size) and stores the pages in charged.
 * Return: the object with one reference, or NULL.
 * Kernel: mm/shmem.c shmem_zero_setup(), shmem_kernel_file_setup().
 */
struct mm_file *mm__shmem_new(struct mm_sim *sim)
{
    struct mm_file *file = file_new(sim, 1, ++sim->shmem_ino_seq);
    if (file) {
        file->shmem = true;
        file->vmas = 1;
    }
    return file;
}

/**
 * mm__shmem_named() - the shmem object on 00:01 with inode @ino, referenced
 * @sim: the simulator
 * @ino: its inode number as the trace shows it
 *
 * For shared anonymous, memfd and SysV objects the trace names (VMA
 * snapshots, memfd mappings): processes mapping the same inode share its
 * pages. Such an object existed before the model saw it, so it carries no
 * charge of its own (its charge is part of the machine's background).
 * Return: the object or NULL (host out of memory).
 */
struct mm_file *mm__shmem_named(struct mm_sim *sim, uint64_t ino)
{
    uint64_t key = file_hash(MM_SHMEM_DEV, ino);
    struct mm_file *file;
    while ((file = file_at(sim, key)) && !(file->named && file->ino == ino))
        key = key + 1 == UINT64_MAX ? 0 : key + 1;
    if (!file) {
        file = file_new(sim, MM_SHMEM_DEV, ino);
        if (file)
            file->shmem = file->named = true;
    }
    if (file)
        file->vmas++;
    return file;
}

/**
 * mm__file_remove_range() - drop cached pages [@first, @end) of @file
 * @sim: the simulator
 * @file: the object
 * @first: first page index
 * @end: index after the last
 *
 * The caller has unmapped them first.
 * Kernel: mm/truncate.c truncate_inode_pages_range(); mm/shmem.c
 * shmem_undo_range().
 */
void mm__file_remove_range(struct mm_sim *sim, struct mm_file *file,
                           uint64_t first, uint64_t end)
{
    size_t pos = 0, n = 0;
    const struct mm_hmap_slot *s;
    uint64_t *idx = malloc((file->pages.count + 1) * sizeof(*idx));
    if (!idx)
        return;
    while ((s = mm__hmap_next(&file->pages, &pos)))
        if (s->key >= first && s->key < end)
            idx[n++] = s->key;
    for (size_t i = 0; i < n; i++) {
        uint64_t pfn;
        mm__hmap_get(&file->pages, idx[i], &pfn);
        mm__hmap_del(&file->pages, idx[i]);
        if (pfn & MM_SHMEM_SWAPPED) { /* shmem_free_swap() */
            mm__swap_free(sim, (uint32_t)(pfn & ~MM_SHMEM_SWAPPED));
            continue;
        }
        if (pfn & MM_SHADOW) /* a shadow entry: nothing to free */
            continue;
        struct mm_folio *folio = mm__folio_of(sim, pfn);
        if (folio && !folio->total_map)
            mm__folio_release(sim, folio);
        else if (folio)
            folio->file = NULL; /* still mapped: freed by its last unmap */
    }
    free(idx);
}

static void file_destroy(struct mm_sim *sim, struct mm_file *file)
{
    mm__file_remove_range(sim, file, 0, UINT64_MAX);
    mm__hmap_destroy(&file->pages);
    mm__hmap_del(&sim->files, file->key);
    free(file);
}

/**
 * mm__file_put() - drop a VMA's reference to @file
 * @sim: the simulator
 * @file: the object
 *
 * A shared anonymous object dies with its last mapping: its pages are
 * freed and its charge returned. File caches persist.
 * Kernel: mm/shmem.c shmem_evict_inode() → shmem_unacct_size().
 */
void mm__file_put(struct mm_sim *sim, struct mm_file *file)
{
    if (--file->vmas || !file->shmem)
        return;
    mm__vm_acct_memory(sim, -(int64_t)file->charged);
    file_destroy(sim, file);
}

/**
 * mm__filemap_destroy() - free every page cache (sim teardown)
 * @sim: the simulator
 */
void mm__filemap_destroy(struct mm_sim *sim)
{
    size_t pos = 0;
    const struct mm_hmap_slot *s;
    while ((s = mm__hmap_next(&sim->files, &pos))) {
        file_destroy(sim, (struct mm_file *)(uintptr_t)s->value);
        pos = 0;
    }
    mm__hmap_destroy(&sim->files);
    mm__hmap_destroy(&sim->frames);
}

/**
 * mm__filemap_remove_folio() - reclaim drops @folio from its page cache
 * @sim: the simulator
 * @folio: an unmapped, clean page-cache folio
 * @shadow: its shadow entry (model/workingset.c), left at its index
 *
 * A later fault on its index reads it again (a major fault, a refault).
 * Kernel: mm/vmscan.c __remove_mapping() -> __filemap_remove_folio().
 */
void mm__filemap_remove_folio(struct mm_sim *sim, struct mm_folio *folio,
                              uint64_t shadow)
{
    (void)sim;
    if (folio->file && mm__hmap_put(&folio->file->pages, folio->index, shadow))
        mm__hmap_del(&folio->file->pages, folio->index);
    folio->file = NULL;
}

/**
 * mm__shmem_writepage() - move an unmapped shmem folio's data to swap
 * @sim: the simulator
 * @folio: a shmem folio nobody maps
 * @shadow: its shadow entry (model/workingset.c), kept with the slot
 *
 * The cache index keeps the slot (one reference); the caller counts the
 * write and frees the folio.
 * Kernel: mm/shmem.c shmem_writepage() (folio_alloc_swap,
 * shmem_delete_from_page_cache + swap entry in the mapping).
 * Return: 0, MM_ENOSPC when swap is full.
 */
int mm__shmem_writepage(struct mm_sim *sim, struct mm_folio *folio,
                        uint64_t shadow)
{
    uint32_t slot;
    if (!folio->file)
        return 0; /* punched out while mapped: nothing to keep */
    int err = mm__get_swap_pages(sim, folio->order, &slot);
    if (err)
        return err;
    err = mm__hmap_put(&folio->file->pages, folio->index,
                       MM_SHMEM_SWAPPED | slot);
    if (err) {
        mm__swap_slot_put_cache(sim, slot);
        return err;
    }
    mm__swap_duplicate(sim, slot);
    mm__swap_slot_put_cache(sim, slot);
    mm__swap_shadow(sim, slot, shadow);
    folio->file = NULL;
    return 0;
}
