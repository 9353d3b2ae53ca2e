#define _GNU_SOURCE
#include "cshim_service.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

int cshim_unix_datagram_socket(void) { return socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0); }

long cshim_send_unix_datagram(int fd, const char *name, size_t name_length, const void *bytes, size_t count) {
    struct sockaddr_un address;
    if (name_length == 0) {
        errno = EINVAL;
        return -1;
    }
    /* A path needs room for its NUL; an abstract name is exactly its bytes. */
    int abstract = name[0] == '@';
    if (name_length + (abstract ? 0 : 1) > sizeof address.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    memcpy(address.sun_path, name, name_length);
    if (abstract) address.sun_path[0] = '\0';
    socklen_t length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + name_length + (abstract ? 0 : 1));
    return sendto(fd, bytes, count, MSG_NOSIGNAL, (struct sockaddr *)&address, length);
}

long cshim_unix_socket_name(int fd, char *buffer, size_t capacity) {
    struct sockaddr_un address;
    socklen_t length = sizeof address;
    memset(&address, 0, sizeof address);
    if (getsockname(fd, (struct sockaddr *)&address, &length) != 0) return -1;
    if (address.sun_family != AF_UNIX) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    size_t name_length = length > offsetof(struct sockaddr_un, sun_path) ? length - offsetof(struct sockaddr_un, sun_path) : 0;
    int abstract = name_length > 0 && address.sun_path[0] == '\0';
    /* A path's length may count its NUL; an abstract name's is exactly its bytes. */
    if (!abstract) name_length = strnlen(address.sun_path, name_length);
    if (name_length + 1 > capacity) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (size_t index = 0; index < name_length; index++) {
        buffer[index] = address.sun_path[index] == '\0' ? '@' : address.sun_path[index];
    }
    buffer[name_length] = '\0';
    return (long)name_length;
}
