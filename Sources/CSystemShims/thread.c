#define _GNU_SOURCE
#include "cshim_thread.h"

#include <unistd.h>

pid_t cshim_gettid(void) { return gettid(); }
