/*
 * fuzz_trace_reader - libFuzzer target for the trace reader.
 *
 * Each input is read twice: as given, and with every checksum recomputed,
 * so the fuzzer also reaches the record decoder behind the CRCs. The
 * consumer touches every byte it is handed, so an out-of-bounds pointer
 * shows up under AddressSanitizer. Built with -Dfuzz=true (clang only);
 * tests/fuzz/run.sh runs it on the seed corpus.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

static volatile uint64_t sink;

static int f_header(void *arg, uint32_t version, const struct tr_header *h)
{
    const char *texts[] = {h->tool, h->kernel_release, h->hostname,
                           h->thp_enabled, h->thp_defrag, h->sysctl_vm,
                           h->meminfo, h->zoneinfo};

    (void)arg;
    sink += version + h->page_size + h->cmdline_len;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        sink += texts[i] ? strlen(texts[i]) : 0;
    for (uint32_t i = 0; i < h->nr_extra; i++)
        sink += strlen(h->extra[i].name) + strlen(h->extra[i].value);
    for (size_t i = 0; i < h->cmdline_len; i++)
        sink += (uint8_t)h->cmdline[i];
    return 0;
}

static int f_event(void *arg, const struct tr_event *ev)
{
    (void)arg;
    sink += ev->t_ns + ev->type + ev->a[5] + (uint64_t)ev->ret;
    return 0;
}

static int f_string(void *arg, uint32_t id, const char *s, size_t len)
{
    (void)arg;
    sink += id + len + (len ? (uint8_t)s[len - 1] : 0) + (uint8_t)s[len];
    return 0;
}

static int f_stack(void *arg, uint32_t id, const uint64_t *ips, uint32_t n)
{
    (void)arg;
    sink += id + ips[0] + ips[n - 1];
    return 0;
}

static int f_module(void *arg, uint32_t id, const struct tr_module *m)
{
    (void)arg;
    sink += id + m->base + m->build_id_len;
    return 0;
}

static void f_warning(void *arg, uint64_t off, const char *msg)
{
    (void)arg;
    sink += off + strlen(msg);
}

static const struct tr_consumer consumer = {
    f_header, f_event, f_string, f_stack, f_module, f_warning,
};

static void read_bytes(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz", MFD_CLOEXEC);
    struct tr_read_stats st;

    if (fd < 0)
        abort();
    if (size && write(fd, data, size) != (ssize_t)size)
        abort();
    lseek(fd, 0, SEEK_SET);
    tr_read_fd(fd, &consumer, NULL, &st);
    close(fd);
}

/* Recompute the header checksum and every chunk's two checksums. */
static void fix_checksums(uint8_t *p, size_t size)
{
    size_t off = TR__FILE_HDR_LEN;

    if (size >= TR__FILE_HDR_LEN) {
        size_t len = tr__get_le32(p + 12);
        if (len <= size - TR__FILE_HDR_LEN) {
            tr__put_le32(p + 16, tr__crc32c(tr__crc32c(0, p + 8, 8),
                                            p + TR__FILE_HDR_LEN, len));
            off += len;
        }
    }
    while (off + TR__CHUNK_HDR_LEN <= size) {
        uint8_t *m = memmem(p + off, size - off, TR__CHUNK_MAGIC,
                            TR__MAGIC_LEN);
        if (!m || (size_t)(m - p) + TR__CHUNK_HDR_LEN > size)
            return;
        off = (size_t)(m - p) + TR__CHUNK_HDR_LEN;
        size_t stored = tr__get_le32(m + 16);
        if (stored > size - off)
            stored = size - off;
        tr__put_le32(m + 52, tr__crc32c(0, m + TR__CHUNK_HDR_LEN, stored));
        tr__put_le32(m + 60, tr__crc32c(0, m, 60));
        off += stored;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_bytes(data, size);
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    fix_checksums(copy, size);
    read_bytes(copy, size);
    free(copy);
    return 0;
}
