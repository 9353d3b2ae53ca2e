/* The few glibc facilities Swift cannot see through Glibc: GNU-only calls and structs
 * that need _GNU_SOURCE, which must never be defined in a header Swift imports. Each shim
 * is one call, returns what the call returns, and leaves errno as the call left it. */
#ifndef C_SYSTEM_SHIMS_H
#define C_SYSTEM_SHIMS_H

#include <stdint.h>
#include <sys/types.h>

/** The identity of a Unix-socket peer, as SO_PEERCRED reports it (mirrors struct ucred). */
typedef struct cshim_peer_credentials {
    int32_t pid;
    uint32_t uid;
    uint32_t gid;
} cshim_peer_credentials;

/** getsockopt(SO_PEERCRED). Returns 0, or -1 with errno set. */
int cshim_peer_credentials_of(int fd, cshim_peer_credentials *out);

/** Whether the peer of the connected socket `fd` has closed its end, or the connection
 * broke: poll(2) without waiting for POLLRDHUP (a GNU flag), POLLHUP or POLLERR. Returns
 * 1 when it has, 0 when not, or -1 with errno set. Bytes waiting to be read do not count. */
int cshim_peer_closed(int fd);

/** accept4(fd, NULL, NULL, SOCK_CLOEXEC). */
int cshim_accept_cloexec(int fd);

/** socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0). */
int cshim_unix_stream_socket(void);

/** Binds `fd` to the Unix socket `path`. Returns -1 with errno ENAMETOOLONG if it does not fit. */
int cshim_bind_unix(int fd, const char *path);

/** Connects `fd` to the Unix socket `path`. Returns -1 with errno ENAMETOOLONG if it does not fit. */
int cshim_connect_unix(int fd, const char *path);

/** The longest path a Unix socket address holds, without its NUL. */
int cshim_unix_path_max(void);

#include "cshim_daemon.h"
#include "cshim_errno.h"
#include "cshim_isolation.h"
#include "cshim_process.h"
#include "cshim_random.h"
#include "cshim_sandbox.h"
#include "cshim_service.h"
#include "cshim_signals.h"
#include "cshim_thread.h"
#include "cshim_worker.h"

#endif
