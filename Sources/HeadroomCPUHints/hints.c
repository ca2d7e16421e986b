// The hints are static inline functions in include/HeadroomCPUHints.h; SwiftPM needs a source file
// to build the module.
#include "HeadroomCPUHints.h"
