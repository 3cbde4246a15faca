/*
 * model/vmstat_items.h - every counter /proc/vmstat and /proc/zoneinfo
 * print, in the kernel's print order, as X-macro lists (included by
 * internal.h; the storage and accessors are in model/vmstat.c).
 *
 * X(ID, "name", since, until): ID is the printed name in capitals (the
 * kernel's enum names differ in places: NR_ANON_MAPPED prints as
 * nr_anon_pages); the item is printed by kernels since..until inclusive
 * (0 = no bound). Derived from vmstat_text[] of Debian 6.1.192 and 6.12.117
 * under their amd64 configs and from the 6.18 development machine's
 * /proc/vmstat: an item first seen in 6.12 has since = 6.12 (it may be older:
 * UNVERIFIED between 6.2 and 6.11), one first seen in 6.18 has since = 6.18;
 * one gone from the 6.18 sample has until = 6.17. nr_unaccepted is kept
 * after 6.12 (Debian enables CONFIG_UNACCEPTED_MEMORY; the 6.18 sample's
 * vendor config does not). pgdemote_kswapd/direct were vm events in 6.1 and
 * are node stats since 6.12 (two IDs, one name). /proc/vmstat also ends with
 * a constant "nr_unstable 0" line (vmstat_show()), which is not a counter.
 */
#ifndef MMSIM_MODEL_VMSTAT_ITEMS_H
#define MMSIM_MODEL_VMSTAT_ITEMS_H

/* enum zone_stat_item (zoneinfo per zone; vmstat sums) */
#define MM_ZONE_STAT_ITEMS(X) \
    X(NR_FREE_PAGES, "nr_free_pages", 0, 0) \
    X(NR_FREE_PAGES_BLOCKS, "nr_free_pages_blocks", MM_KERNEL(6, 18), 0) \
    X(NR_ZONE_INACTIVE_ANON, "nr_zone_inactive_anon", 0, 0) \
    X(NR_ZONE_ACTIVE_ANON, "nr_zone_active_anon", 0, 0) \
    X(NR_ZONE_INACTIVE_FILE, "nr_zone_inactive_file", 0, 0) \
    X(NR_ZONE_ACTIVE_FILE, "nr_zone_active_file", 0, 0) \
    X(NR_ZONE_UNEVICTABLE, "nr_zone_unevictable", 0, 0) \
    X(NR_ZONE_WRITE_PENDING, "nr_zone_write_pending", 0, 0) \
    X(NR_MLOCK, "nr_mlock", 0, 0) \
    X(NR_BOUNCE, "nr_bounce", 0, MM_KERNEL(6, 17)) \
    X(NR_ZSPAGES, "nr_zspages", 0, 0) \
    X(NR_FREE_CMA, "nr_free_cma", 0, 0) \
    X(NR_UNACCEPTED, "nr_unaccepted", MM_KERNEL(6, 12), 0)

/* enum numa_stat_item (per zone) */
#define MM_NUMA_STAT_ITEMS(X) \
    X(NUMA_HIT, "numa_hit", 0, 0) \
    X(NUMA_MISS, "numa_miss", 0, 0) \
    X(NUMA_FOREIGN, "numa_foreign", 0, 0) \
    X(NUMA_INTERLEAVE, "numa_interleave", 0, 0) \
    X(NUMA_LOCAL, "numa_local", 0, 0) \
    X(NUMA_OTHER, "numa_other", 0, 0)

/* enum node_stat_item (per node) */
#define MM_NODE_STAT_ITEMS(X) \
    X(NR_INACTIVE_ANON, "nr_inactive_anon", 0, 0) \
    X(NR_ACTIVE_ANON, "nr_active_anon", 0, 0) \
    X(NR_INACTIVE_FILE, "nr_inactive_file", 0, 0) \
    X(NR_ACTIVE_FILE, "nr_active_file", 0, 0) \
    X(NR_UNEVICTABLE, "nr_unevictable", 0, 0) \
    X(NR_SLAB_RECLAIMABLE, "nr_slab_reclaimable", 0, 0) \
    X(NR_SLAB_UNRECLAIMABLE, "nr_slab_unreclaimable", 0, 0) \
    X(NR_ISOLATED_ANON, "nr_isolated_anon", 0, 0) \
    X(NR_ISOLATED_FILE, "nr_isolated_file", 0, 0) \
    X(WORKINGSET_NODES, "workingset_nodes", 0, 0) \
    X(WORKINGSET_REFAULT_ANON, "workingset_refault_anon", 0, 0) \
    X(WORKINGSET_REFAULT_FILE, "workingset_refault_file", 0, 0) \
    X(WORKINGSET_ACTIVATE_ANON, "workingset_activate_anon", 0, 0) \
    X(WORKINGSET_ACTIVATE_FILE, "workingset_activate_file", 0, 0) \
    X(WORKINGSET_RESTORE_ANON, "workingset_restore_anon", 0, 0) \
    X(WORKINGSET_RESTORE_FILE, "workingset_restore_file", 0, 0) \
    X(WORKINGSET_NODERECLAIM, "workingset_nodereclaim", 0, 0) \
    X(NR_ANON_PAGES, "nr_anon_pages", 0, 0) \
    X(NR_MAPPED, "nr_mapped", 0, 0) \
    X(NR_FILE_PAGES, "nr_file_pages", 0, 0) \
    X(NR_DIRTY, "nr_dirty", 0, 0) \
    X(NR_WRITEBACK, "nr_writeback", 0, 0) \
    X(NR_WRITEBACK_TEMP, "nr_writeback_temp", 0, MM_KERNEL(6, 17)) \
    X(NR_SHMEM, "nr_shmem", 0, 0) \
    X(NR_SHMEM_HUGEPAGES, "nr_shmem_hugepages", 0, 0) \
    X(NR_SHMEM_PMDMAPPED, "nr_shmem_pmdmapped", 0, 0) \
    X(NR_FILE_HUGEPAGES, "nr_file_hugepages", 0, 0) \
    X(NR_FILE_PMDMAPPED, "nr_file_pmdmapped", 0, 0) \
    X(NR_ANON_TRANSPARENT_HUGEPAGES, "nr_anon_transparent_hugepages", 0, 0) \
    X(NR_VMSCAN_WRITE, "nr_vmscan_write", 0, 0) \
    X(NR_VMSCAN_IMMEDIATE_RECLAIM, "nr_vmscan_immediate_reclaim", 0, 0) \
    X(NR_DIRTIED, "nr_dirtied", 0, 0) \
    X(NR_WRITTEN, "nr_written", 0, 0) \
    X(NR_THROTTLED_WRITTEN, "nr_throttled_written", 0, 0) \
    X(NR_KERNEL_MISC_RECLAIMABLE, "nr_kernel_misc_reclaimable", 0, 0) \
    X(NR_FOLL_PIN_ACQUIRED, "nr_foll_pin_acquired", 0, 0) \
    X(NR_FOLL_PIN_RELEASED, "nr_foll_pin_released", 0, 0) \
    X(NR_KERNEL_STACK, "nr_kernel_stack", 0, 0) \
    X(NR_PAGE_TABLE_PAGES, "nr_page_table_pages", 0, 0) \
    X(NR_SEC_PAGE_TABLE_PAGES, "nr_sec_page_table_pages", 0, 0) \
    X(NR_IOMMU_PAGES, "nr_iommu_pages", MM_KERNEL(6, 12), 0) \
    X(NR_SWAPCACHED, "nr_swapcached", 0, 0) \
    X(PGPROMOTE_SUCCESS, "pgpromote_success", 0, 0) \
    X(PGPROMOTE_CANDIDATE, "pgpromote_candidate", 0, 0) \
    X(PGPROMOTE_CANDIDATE_NRL, "pgpromote_candidate_nrl", MM_KERNEL(6, 18), 0) \
    X(PGDEMOTE_KSWAPD, "pgdemote_kswapd", MM_KERNEL(6, 12), 0) \
    X(PGDEMOTE_DIRECT, "pgdemote_direct", MM_KERNEL(6, 12), 0) \
    X(PGDEMOTE_KHUGEPAGED, "pgdemote_khugepaged", MM_KERNEL(6, 12), 0) \
    X(PGDEMOTE_PROACTIVE, "pgdemote_proactive", MM_KERNEL(6, 18), 0) \
    X(NR_HUGETLB, "nr_hugetlb", MM_KERNEL(6, 18), 0) \
    X(NR_BALLOON_PAGES, "nr_balloon_pages", MM_KERNEL(6, 18), 0) \
    X(NR_KERNEL_FILE_PAGES, "nr_kernel_file_pages", MM_KERNEL(6, 18), 0)

/* enum writeback_stat_item: computed when printed (global_dirty_limits) */
#define MM_WRITEBACK_STAT_ITEMS(X) \
    X(NR_DIRTY_THRESHOLD, "nr_dirty_threshold", 0, 0) \
    X(NR_DIRTY_BACKGROUND_THRESHOLD, "nr_dirty_background_threshold", 0, 0)

/* enum vm_stat_item (global) */
#define MM_GLOBAL_STAT_ITEMS(X) \
    X(NR_MEMMAP_PAGES, "nr_memmap_pages", MM_KERNEL(6, 12), 0) \
    X(NR_MEMMAP_BOOT_PAGES, "nr_memmap_boot_pages", MM_KERNEL(6, 12), 0)

/* enum vm_event_item (per CPU in the kernel, summed here) */
#define MM_VM_EVENT_ITEMS(X) \
    X(PGPGIN, "pgpgin", 0, 0) \
    X(PGPGOUT, "pgpgout", 0, 0) \
    X(PSWPIN, "pswpin", 0, 0) \
    X(PSWPOUT, "pswpout", 0, 0) \
    X(PGALLOC_DMA, "pgalloc_dma", 0, 0) \
    X(PGALLOC_DMA32, "pgalloc_dma32", 0, 0) \
    X(PGALLOC_NORMAL, "pgalloc_normal", 0, 0) \
    X(PGALLOC_MOVABLE, "pgalloc_movable", 0, 0) \
    X(PGALLOC_DEVICE, "pgalloc_device", 0, 0) \
    X(ALLOCSTALL_DMA, "allocstall_dma", 0, 0) \
    X(ALLOCSTALL_DMA32, "allocstall_dma32", 0, 0) \
    X(ALLOCSTALL_NORMAL, "allocstall_normal", 0, 0) \
    X(ALLOCSTALL_MOVABLE, "allocstall_movable", 0, 0) \
    X(ALLOCSTALL_DEVICE, "allocstall_device", 0, 0) \
    X(PGSKIP_DMA, "pgskip_dma", 0, 0) \
    X(PGSKIP_DMA32, "pgskip_dma32", 0, 0) \
    X(PGSKIP_NORMAL, "pgskip_normal", 0, 0) \
    X(PGSKIP_MOVABLE, "pgskip_movable", 0, 0) \
    X(PGSKIP_DEVICE, "pgskip_device", 0, 0) \
    X(PGFREE, "pgfree", 0, 0) \
    X(PGACTIVATE, "pgactivate", 0, 0) \
    X(PGDEACTIVATE, "pgdeactivate", 0, 0) \
    X(PGLAZYFREE, "pglazyfree", 0, 0) \
    X(PGFAULT, "pgfault", 0, 0) \
    X(PGMAJFAULT, "pgmajfault", 0, 0) \
    X(PGLAZYFREED, "pglazyfreed", 0, 0) \
    X(PGREFILL, "pgrefill", 0, 0) \
    X(PGREUSE, "pgreuse", 0, 0) \
    X(PGSTEAL_KSWAPD, "pgsteal_kswapd", 0, 0) \
    X(PGSTEAL_DIRECT, "pgsteal_direct", 0, 0) \
    X(PGDEMOTE_KSWAPD_EV, "pgdemote_kswapd", 0, MM_KERNEL(6, 11)) \
    X(PGDEMOTE_DIRECT_EV, "pgdemote_direct", 0, MM_KERNEL(6, 11)) \
    X(PGSTEAL_KHUGEPAGED, "pgsteal_khugepaged", MM_KERNEL(6, 12), 0) \
    X(PGSTEAL_PROACTIVE, "pgsteal_proactive", MM_KERNEL(6, 18), 0) \
    X(PGSCAN_KSWAPD, "pgscan_kswapd", 0, 0) \
    X(PGSCAN_DIRECT, "pgscan_direct", 0, 0) \
    X(PGSCAN_KHUGEPAGED, "pgscan_khugepaged", MM_KERNEL(6, 12), 0) \
    X(PGSCAN_PROACTIVE, "pgscan_proactive", MM_KERNEL(6, 18), 0) \
    X(PGSCAN_DIRECT_THROTTLE, "pgscan_direct_throttle", 0, 0) \
    X(PGSCAN_ANON, "pgscan_anon", 0, 0) \
    X(PGSCAN_FILE, "pgscan_file", 0, 0) \
    X(PGSTEAL_ANON, "pgsteal_anon", 0, 0) \
    X(PGSTEAL_FILE, "pgsteal_file", 0, 0) \
    X(ZONE_RECLAIM_SUCCESS, "zone_reclaim_success", MM_KERNEL(6, 12), 0) \
    X(ZONE_RECLAIM_FAILED, "zone_reclaim_failed", 0, 0) \
    X(PGINODESTEAL, "pginodesteal", 0, 0) \
    X(SLABS_SCANNED, "slabs_scanned", 0, 0) \
    X(KSWAPD_INODESTEAL, "kswapd_inodesteal", 0, 0) \
    X(KSWAPD_LOW_WMARK_HIT_QUICKLY, "kswapd_low_wmark_hit_quickly", 0, 0) \
    X(KSWAPD_HIGH_WMARK_HIT_QUICKLY, "kswapd_high_wmark_hit_quickly", 0, 0) \
    X(PAGEOUTRUN, "pageoutrun", 0, 0) \
    X(PGROTATED, "pgrotated", 0, 0) \
    X(DROP_PAGECACHE, "drop_pagecache", 0, 0) \
    X(DROP_SLAB, "drop_slab", 0, 0) \
    X(OOM_KILL, "oom_kill", 0, 0) \
    X(NUMA_PTE_UPDATES, "numa_pte_updates", 0, 0) \
    X(NUMA_HUGE_PTE_UPDATES, "numa_huge_pte_updates", 0, 0) \
    X(NUMA_HINT_FAULTS, "numa_hint_faults", 0, 0) \
    X(NUMA_HINT_FAULTS_LOCAL, "numa_hint_faults_local", 0, 0) \
    X(NUMA_PAGES_MIGRATED, "numa_pages_migrated", 0, 0) \
    X(PGMIGRATE_SUCCESS, "pgmigrate_success", 0, 0) \
    X(PGMIGRATE_FAIL, "pgmigrate_fail", 0, 0) \
    X(THP_MIGRATION_SUCCESS, "thp_migration_success", 0, 0) \
    X(THP_MIGRATION_FAIL, "thp_migration_fail", 0, 0) \
    X(THP_MIGRATION_SPLIT, "thp_migration_split", 0, 0) \
    X(COMPACT_MIGRATE_SCANNED, "compact_migrate_scanned", 0, 0) \
    X(COMPACT_FREE_SCANNED, "compact_free_scanned", 0, 0) \
    X(COMPACT_ISOLATED, "compact_isolated", 0, 0) \
    X(COMPACT_STALL, "compact_stall", 0, 0) \
    X(COMPACT_FAIL, "compact_fail", 0, 0) \
    X(COMPACT_SUCCESS, "compact_success", 0, 0) \
    X(COMPACT_DAEMON_WAKE, "compact_daemon_wake", 0, 0) \
    X(COMPACT_DAEMON_MIGRATE_SCANNED, "compact_daemon_migrate_scanned", 0, 0) \
    X(COMPACT_DAEMON_FREE_SCANNED, "compact_daemon_free_scanned", 0, 0) \
    X(HTLB_BUDDY_ALLOC_SUCCESS, "htlb_buddy_alloc_success", 0, 0) \
    X(HTLB_BUDDY_ALLOC_FAIL, "htlb_buddy_alloc_fail", 0, 0) \
    X(UNEVICTABLE_PGS_CULLED, "unevictable_pgs_culled", 0, 0) \
    X(UNEVICTABLE_PGS_SCANNED, "unevictable_pgs_scanned", 0, 0) \
    X(UNEVICTABLE_PGS_RESCUED, "unevictable_pgs_rescued", 0, 0) \
    X(UNEVICTABLE_PGS_MLOCKED, "unevictable_pgs_mlocked", 0, 0) \
    X(UNEVICTABLE_PGS_MUNLOCKED, "unevictable_pgs_munlocked", 0, 0) \
    X(UNEVICTABLE_PGS_CLEARED, "unevictable_pgs_cleared", 0, 0) \
    X(UNEVICTABLE_PGS_STRANDED, "unevictable_pgs_stranded", 0, 0) \
    X(THP_FAULT_ALLOC, "thp_fault_alloc", 0, 0) \
    X(THP_FAULT_FALLBACK, "thp_fault_fallback", 0, 0) \
    X(THP_FAULT_FALLBACK_CHARGE, "thp_fault_fallback_charge", 0, 0) \
    X(THP_COLLAPSE_ALLOC, "thp_collapse_alloc", 0, 0) \
    X(THP_COLLAPSE_ALLOC_FAILED, "thp_collapse_alloc_failed", 0, 0) \
    X(THP_FILE_ALLOC, "thp_file_alloc", 0, 0) \
    X(THP_FILE_FALLBACK, "thp_file_fallback", 0, 0) \
    X(THP_FILE_FALLBACK_CHARGE, "thp_file_fallback_charge", 0, 0) \
    X(THP_FILE_MAPPED, "thp_file_mapped", 0, 0) \
    X(THP_SPLIT_PAGE, "thp_split_page", 0, 0) \
    X(THP_SPLIT_PAGE_FAILED, "thp_split_page_failed", 0, 0) \
    X(THP_DEFERRED_SPLIT_PAGE, "thp_deferred_split_page", 0, 0) \
    X(THP_UNDERUSED_SPLIT_PAGE, "thp_underused_split_page", MM_KERNEL(6, 12), 0) \
    X(THP_SPLIT_PMD, "thp_split_pmd", 0, 0) \
    X(THP_SCAN_EXCEED_NONE_PTE, "thp_scan_exceed_none_pte", 0, 0) \
    X(THP_SCAN_EXCEED_SWAP_PTE, "thp_scan_exceed_swap_pte", 0, 0) \
    X(THP_SCAN_EXCEED_SHARE_PTE, "thp_scan_exceed_share_pte", 0, 0) \
    X(THP_SPLIT_PUD, "thp_split_pud", 0, 0) \
    X(THP_ZERO_PAGE_ALLOC, "thp_zero_page_alloc", 0, 0) \
    X(THP_ZERO_PAGE_ALLOC_FAILED, "thp_zero_page_alloc_failed", 0, 0) \
    X(THP_SWPOUT, "thp_swpout", 0, 0) \
    X(THP_SWPOUT_FALLBACK, "thp_swpout_fallback", 0, 0) \
    X(BALLOON_INFLATE, "balloon_inflate", 0, 0) \
    X(BALLOON_DEFLATE, "balloon_deflate", 0, 0) \
    X(BALLOON_MIGRATE, "balloon_migrate", 0, 0) \
    X(SWAP_RA, "swap_ra", 0, 0) \
    X(SWAP_RA_HIT, "swap_ra_hit", 0, 0) \
    X(SWPIN_ZERO, "swpin_zero", MM_KERNEL(6, 12), 0) \
    X(SWPOUT_ZERO, "swpout_zero", MM_KERNEL(6, 12), 0) \
    X(KSM_SWPIN_COPY, "ksm_swpin_copy", 0, 0) \
    X(COW_KSM, "cow_ksm", 0, 0) \
    X(ZSWPIN, "zswpin", 0, 0) \
    X(ZSWPOUT, "zswpout", 0, 0) \
    X(ZSWPWB, "zswpwb", MM_KERNEL(6, 12), 0) \
    X(DIRECT_MAP_LEVEL2_SPLITS, "direct_map_level2_splits", 0, 0) \
    X(DIRECT_MAP_LEVEL3_SPLITS, "direct_map_level3_splits", 0, 0) \
    X(DIRECT_MAP_LEVEL2_COLLAPSES, "direct_map_level2_collapses", MM_KERNEL(6, 18), 0) \
    X(DIRECT_MAP_LEVEL3_COLLAPSES, "direct_map_level3_collapses", MM_KERNEL(6, 18), 0)

#endif /* MMSIM_MODEL_VMSTAT_ITEMS_H */
