// The prefetch hint is a static inline function in include/HeadroomPrefetch.h; SwiftPM needs a
// source file to build the module.
#include "HeadroomPrefetch.h"
