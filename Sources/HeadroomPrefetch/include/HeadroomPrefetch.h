#ifndef HEADROOM_PREFETCH_H
#define HEADROOM_PREFETCH_H

/// Asks the CPU to start loading the cache line at `address` (a hint: never faults, any address).
static inline __attribute__((always_inline)) void headroom_prefetch(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif
