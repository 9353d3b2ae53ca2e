/* Process facilities of worker isolation (docs/WORKER-PROTOCOL.md) that Swift cannot reach
 * through Glibc: a syscall without a glibc wrapper in Debian 12 (pidfd_open), a GNU-only
 * spawn action, and a crash reporter that must run as a signal handler. Each call-through
 * shim returns what the call returns and leaves errno as the call left it. */
#ifndef CSHIM_ISOLATION_H
#define CSHIM_ISOLATION_H

#include <spawn.h>
#include <sys/types.h>

/** syscall(SYS_pidfd_open, pid, 0): a descriptor, close-on-exec, that becomes readable when
 * the process `pid` exits (while it is still a zombie). Returns it, or -1 with errno set. */
int cshim_pidfd_open(pid_t pid);

/** posix_spawn_file_actions_addclosefrom_np(actions, from): the child closes every
 * descriptor >= `from`. Returns 0 or an error number. */
int cshim_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int from);

/** The first bytes of the line the crash reporter writes to stderr. */
#define CSHIM_MEMORY_EXHAUSTED_MARKER "skillhostd worker: memory exhausted:"

/** Installs, for SIGSEGV, SIGBUS and SIGABRT, a one-shot handler that writes one line
 * starting with CSHIM_MEMORY_EXHAUSTED_MARKER to stderr when the crash looks like memory
 * exhaustion (errno is ENOMEM on the crashing thread, or the peak address space, VmPeak,
 * came within a tenth of RLIMIT_AS), then lets the signal end the process as it would have.
 * Uses only async-signal-safe calls. Returns 0, or -1 with errno set. */
int cshim_install_memory_crash_reporter(void);

#endif
