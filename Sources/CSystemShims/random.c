#include "cshim_random.h"

#include <sys/random.h>

ssize_t cshim_getrandom(void *buffer, size_t length) { return getrandom(buffer, length, 0); }
