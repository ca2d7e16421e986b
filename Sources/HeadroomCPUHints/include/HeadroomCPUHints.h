#ifndef HEADROOM_CPU_HINTS_H
#define HEADROOM_CPU_HINTS_H

/// Asks the CPU to start loading the cache line at `address` (a hint: never faults, any address).
static inline __attribute__((always_inline)) void headroom_prefetch(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

/// `condition ? chosen : otherwise`, kept a conditional move: the compiler is told the condition
/// is unpredictable, so it does not turn the choice into a branch (which it does for the same
/// choice written in Swift when it sits on a loop's chain, and which then mispredicts).
static inline __attribute__((always_inline)) unsigned long long headroom_select(
    _Bool condition, unsigned long long chosen, unsigned long long otherwise) {
    return __builtin_unpredictable(condition) ? chosen : otherwise;
}

/// Transparent huge pages for the simulation's memory. A large fleet's state (tens of MB, read at
/// random: a replica's engine, its batch, the request's row) spans thousands of 4 KB pages, more
/// than the TLB holds; 2 MB pages cover it with a few dozen. Measured (`Tests/Bench/cpu_pairs.py`):
/// the 10,000-replica fleet's first 8 minutes ~4–6 % less CPU time, its whole hour within the
/// machine's noise; the KPA day, the 1,000-replica fleet and B1 unchanged. Where the kernel gives huge pages only on request (`[madvise]`, the
/// usual default), glibc ≥ 2.35 asks for them on the memory it maps when the tunable
/// `glibc.malloc.hugetlb=1` is set, and reads tunables only when a process starts: so this sets it
/// and executes the same binary again with the same arguments (same process id; ~3 ms a start).
/// Returns (doing nothing) where the kernel already gives huge pages to every process or never does,
/// where glibc is older, where `GLIBC_TUNABLES` already names the tunable (the user's choice, or
/// the second start), where `HEADROOM_HUGE_PAGES=0`, or when the new image cannot be executed.
void headroom_reexecute_with_huge_pages(char *const arguments[]);

/// The `GLIBC_TUNABLES` value that asks for huge pages (before the current one, or alone), given
/// the current one (or NULL), the kernel's mode (the text of
/// /sys/kernel/mm/transparent_hugepage/enabled) and glibc's version, written to `out` (`size`
/// bytes); 0 where nothing should change (see above) or it does not fit.
int headroom_huge_pages_tunables(const char *current, const char *thp_mode, const char *glibc_version, char *out, unsigned long size);

#endif
