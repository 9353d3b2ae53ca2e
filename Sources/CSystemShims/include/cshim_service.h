/* The sockets of the service manager's protocols that Swift cannot reach through Glibc:
 * struct sockaddr_un, whose abstract names start with a NUL byte, and SOCK_CLOEXEC. Each
 * shim is one call, returns what the call returns, and leaves errno as the call left it. */
#ifndef C_SYSTEM_SHIMS_SERVICE_H
#define C_SYSTEM_SHIMS_SERVICE_H

#include <stddef.h>

/** socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0). */
int cshim_unix_datagram_socket(void);

/** sendto(fd, bytes, count, MSG_NOSIGNAL) to the Unix socket `name` of `name_length` bytes: a
 * path, or an abstract name when it starts with '@' (sent as a NUL byte, as sd_notify(3)
 * does). Returns -1 with errno ENAMETOOLONG if it does not fit, EINVAL when it is empty. */
long cshim_send_unix_datagram(int fd, const char *name, size_t name_length, const void *bytes, size_t count);

/** The address `fd` is bound to, from getsockname(2), into `buffer` of `capacity` bytes
 * (NUL-terminated): the path, "@name" for an abstract name (its NUL bytes as '@'), or ""
 * when it is unnamed. Returns its length, or -1 with errno set (EAFNOSUPPORT when `fd` is
 * not an AF_UNIX socket, ENAMETOOLONG when `capacity` is too small). */
long cshim_unix_socket_name(int fd, char *buffer, size_t capacity);

#endif
