#define _GNU_SOURCE
#include "cshim_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

enum { maximum_descriptors = 8, duplicate_floor = 64 };

/* The steps of the child, by the index it reports. */
static const char *const child_steps[] = {
    "read of the start signal", "setresgid", "setgroups", "setresuid", "prctl(PR_SET_PDEATHSIG)",
    "setpgid", "open(/dev/null)", "fcntl(F_DUPFD_CLOEXEC)", "dup2", "close_range", "sigprocmask", "execve",
    "prctl(PR_SET_DUMPABLE)",
};

/* What a failed child writes to the report pipe before it exits. */
struct child_failure {
    int code;
    int step;
};

static void fail_child(int report, int step) {
    struct child_failure failure = {errno, step};
    ssize_t ignored = write(report, &failure, sizeof failure);
    (void)ignored;
    _exit(127);
}

/* The child of clone(2): a copy of a multi-threaded process, so async-signal-safe calls only. */
static void run_child(const cshim_sandbox_start *spawn, int start_signal, int report) {
    /* Above the targets, so that no dup2 below clobbers it. */
    int moved = fcntl(report, F_DUPFD_CLOEXEC, duplicate_floor);
    if (moved < 0) fail_child(report, 7);
    report = moved;
    if (spawn->map_after_execve) {
        /* Above the targets too: it is placed after them. */
        moved = fcntl(start_signal, F_DUPFD_CLOEXEC, duplicate_floor);
        if (moved < 0) fail_child(report, 7);
        start_signal = moved;
    }
    char byte = 0;
    int maps_first = spawn->namespaces & CSHIM_NAMESPACE_USER && !spawn->map_after_execve;
    if (maps_first && !spawn->clear_groups) {
        /* A daemon that is not root writes the maps as their owner, which it is only while
         * this copy of it is dumpable (a non-dumpable process's /proc files are root's).
         * The copy holds the daemon's memory until the execve, within microseconds: the
         * reason for map_after_execve, used whenever the executable can wait. */
        if (prctl(PR_SET_DUMPABLE, 1UL, 0UL, 0UL, 0UL) != 0 || write(start_signal, &byte, 1) != 1) fail_child(report, 12);
    }
    if (maps_first && read(start_signal, &byte, 1) != 1) fail_child(report, 0);
    if (maps_first) {
        /* uid 0 of the namespace is the outer uid: take it, so that files created and
         * checks made outside see that uid, not the daemon's. */
        /* The raw calls: glibc's wrappers apply a change of credentials to every thread
         * it knows of, and in this copy of the daemon those threads do not exist. */
        if (syscall(SYS_setresgid, 0, 0, 0) != 0) fail_child(report, 1);
        if (spawn->clear_groups && syscall(SYS_setgroups, 0, NULL) != 0) fail_child(report, 2);
        if (syscall(SYS_setresuid, 0, 0, 0) != 0) fail_child(report, 3);
    }
    /* After the change of credentials, which clears it. (With map_after_execve there is
     * none: once mapped, the outer uid is uid 0 of the namespace.) */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0UL, 0UL, 0UL) != 0) fail_child(report, 4);
    if (setpgid(0, 0) != 0) fail_child(report, 5);

    struct sigaction standard;
    memset(&standard, 0, sizeof standard);
    standard.sa_handler = SIG_DFL;
    for (int number = 1; number < NSIG; number++) {
        if (number != SIGKILL && number != SIGSTOP) (void)sigaction(number, &standard, NULL);
    }

    /* Every source is moved above the targets first, so that no target clobbers a source
     * still to be placed. */
    int placed[maximum_descriptors];
    int count = spawn->descriptor_count < maximum_descriptors ? spawn->descriptor_count : maximum_descriptors;
    for (int index = 0; index < count; index++) {
        placed[index] = -1;
        if (spawn->descriptors[index] < 0) continue;
        placed[index] = fcntl(spawn->descriptors[index], F_DUPFD_CLOEXEC, duplicate_floor);
        if (placed[index] < 0) fail_child(report, 7);
    }
    int null_device = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_device < 0) fail_child(report, 6);
    if (dup2(null_device, 0) != 0) fail_child(report, 8);
    for (int index = 0; index < count; index++) {
        if (placed[index] >= 0 && dup2(placed[index], index + 1) != index + 1) fail_child(report, 8);
    }
    /* The start signal, which the executable reads once its maps are written. */
    int kept = count;
    if (spawn->map_after_execve) {
        kept = count + 1;
        if (dup2(start_signal, kept) != kept) fail_child(report, 8);
    }
    /* Everything above the targets goes (the copies, descriptors the daemon inherited
     * without close-on-exec), but the report pipe: close-on-exec, it ends with the execve. */
    unsigned int first = (unsigned int)kept + 1;
    if (report > (int)first && syscall(SYS_close_range, first, (unsigned int)report - 1, 0) != 0) fail_child(report, 9);
    if (syscall(SYS_close_range, (unsigned int)report + 1, ~0U, 0) != 0) fail_child(report, 9);

    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0) fail_child(report, 10);
    execve(spawn->path, spawn->argv, spawn->envp);
    fail_child(report, 11);
}

/* Writes `text` to /proc/<pid>/<file>. Returns 0 or an error number. */
static int write_process_file(pid_t pid, const char *file, const char *text) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    size_t length = strlen(text);
    ssize_t written = write(fd, text, length);
    int code = written == (ssize_t)length ? 0 : (written < 0 ? errno : EIO);
    close(fd);
    return code;
}

/* Writes the user namespace's maps of the child. Returns 0 or an error number. */
static int map_identities(const cshim_sandbox_start *spawn, pid_t pid, const char **failed_call) {
    char line[64];
    int code;
    if (!spawn->clear_groups && (code = write_process_file(pid, "setgroups", "deny")) != 0) {
        *failed_call = "write of /proc/<worker>/setgroups";
        return code;
    }
    snprintf(line, sizeof line, "0 %u 1\n", spawn->outer_uid);
    if ((code = write_process_file(pid, "uid_map", line)) != 0) {
        *failed_call = "write of /proc/<worker>/uid_map";
        return code;
    }
    snprintf(line, sizeof line, "0 %u 1\n", spawn->outer_gid);
    if ((code = write_process_file(pid, "gid_map", line)) != 0) {
        *failed_call = "write of /proc/<worker>/gid_map";
        return code;
    }
    return 0;
}

static int reap_failed_child(pid_t pid) {
    int status;
    (void)kill(pid, SIGKILL);
    while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR) {}
    return 0;
}

/* Waits until the child executed, by the end of stream of the report pipe (close-on-exec),
 * which it closes, or reaps the failed child. Returns 0 or the error number of the step
 * that failed, named in `*failed_call`. */
static int await_execve(pid_t child, int report, const char **failed_call) {
    struct child_failure failure;
    ssize_t length;
    while ((length = read(report, &failure, sizeof failure)) < 0 && errno == EINTR) {}
    close(report);
    if (length == 0) return 0;
    reap_failed_child(child);
    if (length == (ssize_t)sizeof failure && failure.step >= 0
        && (size_t)failure.step < sizeof child_steps / sizeof child_steps[0]) {
        *failed_call = child_steps[failure.step];
        return failure.code != 0 ? failure.code : EIO;
    }
    *failed_call = "the worker's start";
    return EIO;
}

/* The parent's part with map_after_execve: the maps of the executed child, which holds none
 * of the daemon's memory, then its start signal. The end of the report pipe is not enough:
 * the kernel closes close-on-exec descriptors before it makes the new image dumpable, so the
 * maps are written only once the executable itself says it runs (one byte on `start`). */
static int map_after_execve(const cshim_sandbox_start *spawn, long child, int start, int report,
                            const char **failed_call) {
    int code = await_execve((pid_t)child, report, failed_call);
    if (code != 0) {
        close(start);
        return code;
    }
    char running;
    ssize_t length;
    while ((length = read(start, &running, 1)) < 0 && errno == EINTR) {}
    if (length != 1) {
        code = length < 0 ? errno : EIO;
        *failed_call = "read of the worker init's ready signal";
        close(start);
        reap_failed_child((pid_t)child);
        return code;
    }
    code = map_identities(spawn, (pid_t)child, failed_call);
    if (code == 0 && write(start, "", 1) != 1) {
        code = errno;
        *failed_call = "write of the start signal";
    }
    close(start);
    if (code != 0) reap_failed_child((pid_t)child);
    return code;
}

int cshim_sandbox_spawn(const cshim_sandbox_start *spawn, pid_t *pid, const char **failed_call) {
    /* start: a socket pair, both ways: the child may say it is ready for its maps, then
     * the daemon says it may go on. */
    int start[2], report[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, start) != 0) {
        *failed_call = "socketpair";
        return errno;
    }
    if (pipe2(report, O_CLOEXEC) != 0) {
        int code = errno;
        close(start[0]);
        close(start[1]);
        *failed_call = "pipe2";
        return code;
    }
    /* Signals stay blocked from the clone until the child has reset their dispositions: a
     * handler of the daemon must never run in the child. */
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    /* A NULL stack: the child runs on a copy of this one, as after fork(2). */
    long child = syscall(SYS_clone, (unsigned long)SIGCHLD | spawn->namespaces, NULL, NULL, NULL, NULL);
    if (child == 0) {
        close(start[1]);
        close(report[0]);
        run_child(spawn, start[0], report[1]);
    }
    int clone_error = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(start[0]);
    close(report[1]);
    if (child < 0) {
        close(start[1]);
        close(report[0]);
        *failed_call = "clone";
        return clone_error;
    }
    *pid = (pid_t)child;
    if (spawn->namespaces & CSHIM_NAMESPACE_USER && spawn->map_after_execve) return map_after_execve(spawn, child, start[1], report[0], failed_call);
    int code = 0;
    int ended_early = 0;
    if (spawn->namespaces & CSHIM_NAMESPACE_USER && !spawn->clear_groups) {
        char ready;
        ssize_t length;
        while ((length = read(start[1], &ready, 1)) < 0 && errno == EINTR) {}
        /* No byte: the child failed first, and its report says why. */
        ended_early = length != 1;
    }
    if (!ended_early && spawn->namespaces & CSHIM_NAMESPACE_USER) code = map_identities(spawn, (pid_t)child, failed_call);
    if (!ended_early && code == 0 && write(start[1], "", 1) != 1) {
        code = errno;
        *failed_call = "write of the start signal";
    }
    close(start[1]);
    if (code != 0) {
        close(report[0]);
        return reap_failed_child((pid_t)child), code;
    }
    return await_execve((pid_t)child, report[0], failed_call);
}
