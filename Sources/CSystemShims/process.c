#define _GNU_SOURCE
#include "cshim_process.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

int cshim_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int cshim_socketpair_cloexec(int fds[2]) { return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds); }
