/* The kernel's random generator, which glibc declares in a header Swift's Glibc module leaves out. */
#ifndef CSHIM_RANDOM_H
#define CSHIM_RANDOM_H

#include <stddef.h>
#include <sys/types.h>

/** getrandom(buffer, length, 0): up to `length` bytes; -1 with errno on failure. */
ssize_t cshim_getrandom(void *buffer, size_t length);

#endif
