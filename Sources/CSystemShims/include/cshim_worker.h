/* Process set-up of a skill worker (docs/WORKER-PROTOCOL.md) that Swift cannot reach
 * through Glibc: prctl is variadic, and variadic C functions do not import into Swift. */
#ifndef CSHIM_WORKER_H
#define CSHIM_WORKER_H

/** prctl(PR_SET_PDEATHSIG, signal): the kernel sends `signal` to this process when the
 * thread that created it exits. Returns 0, or -1 with errno set. */
int cshim_set_parent_death_signal(int signal);

/** prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants of this process become its
 * children, not init's. Returns 0, or -1 with errno set. */
int cshim_set_child_subreaper(void);

#endif
