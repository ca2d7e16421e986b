// Transparent huge pages for a simulation's heap, through glibc's own malloc tunable.
#include "HeadroomCPUHints.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <gnu/libc-version.h>
#endif

static const char hugetlb[] = "glibc.malloc.hugetlb";

int headroom_huge_pages_tunables(const char *current, const char *thp_mode, const char *glibc_version, char *out, unsigned long size) {
    if (current != NULL && strstr(current, hugetlb) != NULL) return 0;
    if (thp_mode == NULL || strstr(thp_mode, "[madvise]") == NULL) return 0;
    int major = 0, minor = 0;
    if (glibc_version == NULL || sscanf(glibc_version, "%d.%d", &major, &minor) != 2) return 0;
    if (major < 2 || (major == 2 && minor < 35)) return 0;
    int written = current != NULL && current[0] != '\0'
        ? snprintf(out, size, "%s=1:%s", hugetlb, current)
        : snprintf(out, size, "%s=1", hugetlb);
    return written > 0 && (unsigned long)written < size;
}

void headroom_reexecute_with_huge_pages(char *const arguments[]) {
#if defined(__linux__) && defined(__GLIBC__)
    const char *choice = getenv("HEADROOM_HUGE_PAGES");
    if (choice != NULL && strcmp(choice, "0") == 0) return;
    char mode[128] = {0};
    FILE *file = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (file == NULL) return;
    const char *read = fgets(mode, sizeof mode, file);
    fclose(file);
    if (read == NULL) return;
    const char *current = getenv("GLIBC_TUNABLES");
    char value[4096];
    if (!headroom_huge_pages_tunables(current, mode, gnu_get_libc_version(), value, sizeof value)) return;
    char *saved = current != NULL ? strdup(current) : NULL;
    if (setenv("GLIBC_TUNABLES", value, 1) != 0) { free(saved); return; }
    execv("/proc/self/exe", arguments);
    // The image could not be replaced: go on as we are, with the environment as it was.
    if (saved != NULL) setenv("GLIBC_TUNABLES", saved, 1); else unsetenv("GLIBC_TUNABLES");
    free(saved);
#else
    (void)arguments;
#endif
}
