/* skillhost-worker-init: pid 1 of a sandboxed worker's PID namespace (docs/SECURITY.md).
 *
 *   skillhost-worker-init [--start-fd START_FD] STATUS_FD WORKER [ARGUMENT...]
 *
 * The daemon starts it, in the worker's new namespaces, with the worker's descriptors 0-4 and
 * the write end of a pipe at STATUS_FD. With --start-fd, it first writes one byte to START_FD
 * and waits for one back: a daemon that is not root writes the maps of the user namespace only
 * once this program runs (only then is the process dumpable without holding a copy of the
 * daemon's memory), and the worker must start with them. It starts WORKER as pid 2 with those descriptors
 * and the same environment, closes its own copies, and from then on only reaps: the
 * worker's children that outlive their parents come back to pid 1. When the worker ends,
 * it writes the worker's wait status (an int, native byte order) to STATUS_FD and exits 0;
 * the kernel then kills whatever is left in the namespace.
 *
 * Why not let the worker be pid 1: the kernel drops every signal that pid 1 of a namespace
 * sends itself without a handler, so a skill's abort() or raise(SIGKILL) would not end it
 * as it ends any other process, and its crash could not be told apart. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum { worker_descriptors = 5 };

int main(int argc, char **argv) {
    int first = 1;
    int start_fd = -1;
    if (argc > 2 && strcmp(argv[1], "--start-fd") == 0) {
        start_fd = atoi(argv[2]);
        first = 3;
    }
    if (argc < first + 2) {
        fprintf(stderr, "usage: skillhost-worker-init [--start-fd START_FD] STATUS_FD WORKER [ARGUMENT...]\n");
        return 64;
    }
    if (start_fd >= 0) {
        /* Running, hence dumpable: the daemon may write the maps now. */
        char byte = 0;
        ssize_t length;
        while ((length = write(start_fd, &byte, 1)) < 0 && errno == EINTR) {}
        if (length != 1) {
            fprintf(stderr, "skillhost-worker-init: cannot tell the daemon it runs: %s\n", strerror(errno));
            return 71;
        }
        while ((length = read(start_fd, &byte, 1)) < 0 && errno == EINTR) {}
        if (length != 1) {
            fprintf(stderr, "skillhost-worker-init: the daemon did not write the user namespace's maps\n");
            return 71;
        }
        close(start_fd);
    }
    int status_fd = atoi(argv[first]);
    pid_t worker = fork();
    if (worker < 0) {
        fprintf(stderr, "skillhost-worker-init: fork: %s\n", strerror(errno));
        return 71;
    }
    if (worker == 0) {
        /* The worker dies with pid 1, which dies with the daemon's thread that started it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0UL, 0UL, 0UL);
        if (getppid() != 1) _exit(70);
        close(status_fd);
        execve(argv[first + 1], argv + first + 1, environ);
        fprintf(stderr, "skillhost-worker-init: execve(%s): %s\n", argv[first + 1], strerror(errno));
        _exit(127);
    }
    /* The socket and the pipes are the worker's: the daemon sees their ends when it does. */
    for (int descriptor = 0; descriptor < worker_descriptors; descriptor++) {
        if (descriptor != status_fd) close(descriptor);
    }
    for (;;) {
        int status;
        pid_t ended = waitpid(-1, &status, __WALL);
        if (ended == worker) {
            ssize_t written = write(status_fd, &status, sizeof status);
            (void)written;
            return 0;
        }
        if (ended < 0 && errno == ECHILD) return 0;
    }
}
