/* Process facilities of worker isolation that Swift cannot reach through Glibc: calls that
 * need _GNU_SOURCE (pipe2, SOCK_CLOEXEC on socketpair). Each shim is one call, returns what
 * the call returns, and leaves errno as the call left it. */
#ifndef C_SYSTEM_SHIMS_PROCESS_H
#define C_SYSTEM_SHIMS_PROCESS_H

/** pipe2(fds, O_CLOEXEC): both ends close-on-exec. */
int cshim_pipe_cloexec(int fds[2]);

/** socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds): both ends close-on-exec. */
int cshim_socketpair_cloexec(int fds[2]);

#endif
