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

#endif
