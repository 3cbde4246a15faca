/*
 * render_folded.c - heap by call site as folded stacks, the input of
 * flamegraph.pl, speedscope and inferno: one line per call site,
 * "outermost;...;innermost N", one file per figure: PREFIX.peak.folded,
 * PREFIX.leaked.folded, PREFIX.allocations.folded,
 * PREFIX.temporary.folded, PREFIX.commit.folded, PREFIX.rss.folded
 * (bytes, bytes, calls, calls, kB of commit charge and kB resident at
 * their peaks). Sites beyond those
 * the report keeps are one line "[other call sites] N", so every file sums
 * to the report's total. Frames are function names where symbols exist
 * ("main"), else the module and offset ("[libc.so.6+0x2a1ca]") or the
 * address. Reads struct mm_report only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* One frame's name: the function of "fn+0xOFF (file:line) [module]". */
static void frame_name(FILE *out, const char *text)
{
    const char *end = strstr(text, "+0x");
    if (!end || text[0] == '[' || end == text)
        end = text + strlen(text);
    for (const char *p = text; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        fputc(c == ';' ? ':' : c < 0x20 ? '?' : c, out);
    }
}

static void site_line(FILE *out, const struct report_site *s, uint64_t v)
{
    if (!s->nframes)
        fprintf(out, s->stack ? "[stack %" PRIu32 "]" : "[no stack]",
                s->stack);
    for (uint32_t k = s->nframes; k-- > 0;) {
        frame_name(out, s->frames[k]);
        if (k)
            fputc(';', out);
    }
    fprintf(out, " %" PRIu64 "\n", v);
}

static uint64_t total_of(const struct report_sites_total *t,
                         enum report_site_figure k)
{
    switch (k) {
    case RS_PEAK: return t->peak_bytes;
    case RS_LEAKED: return t->leaked_bytes;
    case RS_ALLOCATIONS: return t->allocations;
    case RS_COMMIT: return t->commit_peak_kb;
    case RS_RSS: return t->rss_peak_kb;
    default: return t->temporary;
    }
}

static int one_file(const struct mm_report *r, enum report_site_figure k,
                    const char *prefix)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s.%s.folded", prefix,
             report_site_figure_names[k]);
    FILE *out = fopen(path, "we");
    if (!out) {
        fprintf(stderr, "mmsim: -o: cannot create the folded stacks: %m: "
                        "'%s'\n", path);
        return -1;
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < r->nr_sites; i++) {
        uint64_t v = report_site_figure(&r->sites[i], k);
        if (v)
            site_line(out, &r->sites[i], v);
        sum += v;
    }
    uint64_t total = total_of(&r->sites_total, k);
    if (total > sum)
        fprintf(out, "[other call sites] %" PRIu64 "\n", total - sum);
    int rc = ferror(out) ? -1 : 0;
    if (fclose(out))
        rc = -1;
    return rc;
}

/**
 * render_folded() - write the folded-stack files of @r
 * @r: the report (call sites are the same in every policy's report)
 * @prefix: file names are PREFIX.FIGURE.folded
 *
 * Return: 0 or -1 (a file could not be written; the message is printed).
 */
int render_folded(const struct mm_report *r, const char *prefix)
{
    for (int k = 0; k < REPORT_NR_SITE_FIGURES; k++)
        if (one_file(r, (enum report_site_figure)k, prefix))
            return -1;
    return 0;
}
