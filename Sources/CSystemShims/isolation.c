#define _GNU_SOURCE
#include "cshim_isolation.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int cshim_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int cshim_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

/* VmPeak of /proc/self/status in KiB; 0 when it cannot be read. */
static unsigned long long peak_virtual_kib(void) {
    char buffer[4096];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t length = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    if (length <= 0) return 0;
    buffer[length] = '\0';
    const char *line = strstr(buffer, "VmPeak:");
    if (line == NULL) return 0;
    unsigned long long kib = 0;
    for (line += 7; *line == ' ' || *line == '\t'; line++) {}
    for (; *line >= '0' && *line <= '9'; line++) kib = kib * 10 + (unsigned long long)(*line - '0');
    return kib;
}

/* Appends the decimal digits of `value` at `out`; returns the end. */
static char *append_number(char *out, unsigned long long value) {
    char digits[24];
    int count = 0;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value > 0);
    while (count > 0) *out++ = digits[--count];
    return out;
}

static char *append_text(char *out, const char *text) {
    size_t length = strlen(text);
    memcpy(out, text, length);
    return out + length;
}

static void report_memory_crash(int signal) {
    int saved = errno;
    struct rlimit limit;
    unsigned long long limit_kib = 0;
    if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) limit_kib = limit.rlim_cur >> 10;
    unsigned long long peak_kib = peak_virtual_kib();
    int near_limit = limit_kib > 0 && peak_kib >= limit_kib - limit_kib / 10;
    if (saved == ENOMEM || near_limit) {
        char line[256];
        char *end = append_text(line, CSHIM_MEMORY_EXHAUSTED_MARKER);
        end = append_text(end, saved == ENOMEM ? " errno ENOMEM," : "");
        end = append_text(end, " peak address space ");
        end = append_number(end, peak_kib >> 10);
        end = append_text(end, " MiB\n");
        ssize_t ignored = write(STDERR_FILENO, line, (size_t)(end - line));
        (void)ignored;
    }
    /* SA_RESETHAND restored the default: the signal, raised again, is delivered when the
     * handler returns and ends the process as it would have without it. */
    raise(signal);
    errno = saved;
}

int cshim_install_memory_crash_reporter(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = report_memory_crash;
    action.sa_flags = SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    int signals[] = {SIGSEGV, SIGBUS, SIGABRT};
    for (size_t index = 0; index < sizeof signals / sizeof signals[0]; index++) {
        if (sigaction(signals[index], &action, NULL) != 0) return -1;
    }
    return 0;
}
