/* escapes: a hostile skill. Its input is one attempt, the JSON string "ACTION ARGUMENT", and
 * its output, a JSON string, says how the attempt went: "ok ..." when it succeeded,
 * "refused ERRNO_NAME (...)" when the system refused it. Tests run it in a sandboxed worker and expect "refused" for every escape, and
 * "ok" where a grant allows the attempt.
 *
 *   read PATH          open PATH and read up to 256 bytes ("ok N: BYTES")
 *   write PATH         create PATH and write to it
 *   list DIRECTORY     the names in DIRECTORY
 *   connect-unix PATH  connect a stream socket to the Unix socket PATH
 *   connect-tcp PORT   connect to 127.0.0.1:PORT
 *   ptrace PID         PTRACE_SEIZE the process PID
 *   signal PID         kill(PID, 0): whether PID may be signalled
 *   fork N             start N children that wait; "ok forked K" or "refused ERRNO after K"
 *   orphan NAME        start a grandchild named NAME (prctl) in a session of its own, which
 *                      sleeps for an hour, and return at once
 *   mount PATH         mount a tmpfs on PATH
 *   unshare            unshare(CLONE_NEWUSER)
 *   status             the Uid, CapEff, NoNewPrivs and Seccomp lines of /proc/self/status
 */
#define _GNU_SOURCE
#include <skill_abi.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

enum { output_capacity = 4096 };

static const char *errno_name(int code) {
    switch (code) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EACCES: return "EACCES";
    case EAGAIN: return "EAGAIN";
    case EROFS: return "EROFS";
    case ENETUNREACH: return "ENETUNREACH";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ENOSYS: return "ENOSYS";
    case EINVAL: return "EINVAL";
    case ENOTDIR: return "ENOTDIR";
    default: return "EOTHER";
    }
}

static int refused(char *out, int code) {
    return snprintf(out, output_capacity, "refused %s (%s)", errno_name(code), strerror(code));
}

static int attempt(const char *action, const char *argument, char *out) {
    if (strcmp(action, "read") == 0) {
        int fd = open(argument, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return refused(out, errno);
        char bytes[256];
        ssize_t length = read(fd, bytes, sizeof bytes - 1);
        int code = errno;
        close(fd);
        if (length < 0) return refused(out, code);
        for (ssize_t index = 0; index < length; index++) {
            if (bytes[index] == '\0') bytes[index] = ' ';
        }
        bytes[length] = '\0';
        return snprintf(out, output_capacity, "ok %zd: %s", length, bytes);
    }
    if (strcmp(action, "write") == 0) {
        int fd = open(argument, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) return refused(out, errno);
        ssize_t written = write(fd, "escaped\n", 8);
        close(fd);
        return written == 8 ? snprintf(out, output_capacity, "ok wrote %s", argument) : refused(out, errno);
    }
    if (strcmp(action, "list") == 0) {
        DIR *directory = opendir(argument);
        if (directory == NULL) return refused(out, errno);
        int length = snprintf(out, output_capacity, "ok");
        struct dirent *entry;
        while ((entry = readdir(directory)) != NULL && length < output_capacity - 300) {
            if (entry->d_name[0] != '.') length += snprintf(out + length, output_capacity - length, " %s", entry->d_name);
        }
        closedir(directory);
        return length;
    }
    if (strcmp(action, "connect-unix") == 0) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return refused(out, errno);
        struct sockaddr_un address = {.sun_family = AF_UNIX};
        snprintf(address.sun_path, sizeof address.sun_path, "%s", argument);
        int connected = connect(fd, (struct sockaddr *)&address, sizeof address);
        int code = errno;
        close(fd);
        return connected == 0 ? snprintf(out, output_capacity, "ok connected to %s", argument) : refused(out, code);
    }
    if (strcmp(action, "connect-tcp") == 0) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return refused(out, errno);
        struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argument)),
                                      .sin_addr = {htonl(INADDR_LOOPBACK)}};
        int connected = connect(fd, (struct sockaddr *)&address, sizeof address);
        int code = errno;
        close(fd);
        return connected == 0 ? snprintf(out, output_capacity, "ok connected to port %s", argument) : refused(out, code);
    }
    if (strcmp(action, "ptrace") == 0) {
        pid_t pid = (pid_t)atoi(argument);
        if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) != 0) return refused(out, errno);
        ptrace(PTRACE_DETACH, pid, NULL, NULL);
        return snprintf(out, output_capacity, "ok traced %d", (int)pid);
    }
    if (strcmp(action, "signal") == 0) {
        pid_t pid = (pid_t)atoi(argument);
        return kill(pid, 0) == 0 ? snprintf(out, output_capacity, "ok may signal %d", (int)pid) : refused(out, errno);
    }
    if (strcmp(action, "fork") == 0) {
        int wanted = atoi(argument), started = 0;
        for (; started < wanted; started++) {
            pid_t child = fork();
            if (child < 0) {
                int code = errno;
                return snprintf(out, output_capacity, "refused %s after %d", errno_name(code), started);
            }
            if (child == 0) {
                pause();
                _exit(0);
            }
        }
        return snprintf(out, output_capacity, "ok forked %d", started);
    }
    if (strcmp(action, "orphan") == 0) {
        pid_t child = fork();
        if (child < 0) return refused(out, errno);
        if (child == 0) {
            setsid();
            if (fork() == 0) {
                prctl(PR_SET_NAME, argument, 0UL, 0UL, 0UL);
                sleep(3600);
            }
            _exit(0);
        }
        int status;
        waitpid(child, &status, 0);
        return snprintf(out, output_capacity, "ok left %s behind", argument);
    }
    if (strcmp(action, "mount") == 0) {
        return mount("tmpfs", argument, "tmpfs", 0, NULL) == 0 ? snprintf(out, output_capacity, "ok mounted") : refused(out, errno);
    }
    if (strcmp(action, "unshare") == 0) {
        return unshare(CLONE_NEWUSER) == 0 ? snprintf(out, output_capacity, "ok unshared") : refused(out, errno);
    }
    if (strcmp(action, "status") == 0) {
        FILE *status = fopen("/proc/self/status", "r");
        if (status == NULL) return refused(out, errno);
        char line[256];
        int length = snprintf(out, output_capacity, "ok");
        while (fgets(line, sizeof line, status) != NULL) {
            if (strncmp(line, "Uid:", 4) == 0 || strncmp(line, "CapEff:", 7) == 0 || strncmp(line, "NoNewPrivs:", 11) == 0
                || strncmp(line, "Seccomp:", 8) == 0) {
                line[strcspn(line, "\n")] = '\0';
                length += snprintf(out + length, output_capacity - length, " | %s", line);
            }
        }
        fclose(status);
        return length;
    }
    return snprintf(out, output_capacity, "unknown action %s", action);
}

static skill_status escapes_run(const skill_host *host, skill_invocation *inv, void *state, skill_bytes input,
                                skill_bytes *output) {
    (void)state;
    char request[1024];
    const char *text = (const char *)input.data;
    size_t length = input.len;
    if (length >= 2 && text[0] == '"' && text[length - 1] == '"') {
        text++;
        length -= 2;
    }
    if (length > sizeof request - 1) length = sizeof request - 1;
    memcpy(request, text, length);
    request[length] = '\0';
    char *argument = strchr(request, ' ');
    if (argument != NULL) *argument++ = '\0';
    char result[output_capacity];
    int written = attempt(request, argument != NULL ? argument : "", result);
    if (written >= output_capacity) written = output_capacity - 1;
    /* As a JSON string: quotes, backslashes and control bytes escaped, the rest as is. */
    char *buffer = host->alloc(inv, (size_t)written * 6 + 3);
    if (buffer == NULL) return SKILL_ERR_ABORTED;
    size_t used = 0;
    buffer[used++] = '"';
    for (int index = 0; index < written; index++) {
        unsigned char byte = (unsigned char)result[index];
        if (byte == '"' || byte == '\\') {
            buffer[used++] = '\\';
            buffer[used++] = (char)byte;
        } else if (byte < 0x20 || byte >= 0x80) {
            used += (size_t)sprintf(buffer + used, "\\u%04x", byte);
        } else {
            buffer[used++] = (char)byte;
        }
    }
    buffer[used++] = '"';
    *output = (skill_bytes){buffer, used};
    return SKILL_OK;
}

SKILL_DEFINE("escapes", "1.0.0", "Tries to escape its sandbox, one attempt per run.", escapes_run)
