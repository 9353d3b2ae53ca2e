/* Threads by their kernel ids. */
#ifndef CSHIM_THREAD_H
#define CSHIM_THREAD_H

#include <sys/types.h>

/** gettid(): the kernel's id of the calling thread (GNU-only in glibc's headers). */
pid_t cshim_gettid(void);

#endif
