/* Process set-up of the daemon that Swift cannot reach through Glibc: prctl is variadic,
 * and variadic C functions do not import into Swift. */
#ifndef CSHIM_DAEMON_H
#define CSHIM_DAEMON_H

/** prctl(PR_SET_DUMPABLE, dumpable): whether processes of the same user may ptrace this
 * process, read its memory-revealing /proc files (environ, mem, maps, fd) and get its core
 * dump. Returns 0, or -1 with errno set. */
int cshim_set_dumpable(int dumpable);

/** prctl(PR_GET_DUMPABLE): 1 when the process is dumpable, 0 when not, -1 with errno set. */
int cshim_dumpable(void);

#endif
