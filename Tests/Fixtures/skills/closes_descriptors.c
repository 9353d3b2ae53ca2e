/* closes-descriptors: closes descriptors of the process it runs in, then returns {}. Its
 * input says which: a number N (every descriptor from N up: 0 is every one, 3 all but the
 * standard streams), or "anon_inodes" (every epoll, eventfd, signalfd, timerfd and pidfd:
 * the wake-up descriptors of Dispatch's event loop). In process, that is the daemon's: its
 * listening socket, its lock, its wake-ups; the daemon must notice and exit, not hang. */
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <skill_abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Closes every descriptor that /proc/self/fd shows as an anonymous inode, except the
 * directory's own. */
static void close_anonymous_inodes(void) {
    int numbers[4096];
    int count = 0;
    DIR *directory = opendir("/proc/self/fd");
    if (directory == NULL) return;
    int own = dirfd(directory);
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL && count < 4096) {
        if (entry->d_name[0] == '.') continue;
        int fd = atoi(entry->d_name);
        if (fd == own) continue;
        char link[64], target[PATH_MAX];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t length = readlink(link, target, sizeof target - 1);
        if (length <= 0) continue;
        target[length] = '\0';
        if (strncmp(target, "anon_inode:", 11) == 0) numbers[count++] = fd;
    }
    closedir(directory);
    for (int i = 0; i < count; i++) close(numbers[i]);
}

static skill_status closes_run(const skill_host *host, skill_invocation *inv, void *state,
                               skill_bytes input, skill_bytes *output) {
    (void)state;
    char text[32] = {0};
    if (input.len == 0 || input.len >= sizeof text) {
        host->set_error(inv, SKILL_BYTES_LITERAL("the input must be a descriptor number or \"anon_inodes\""));
        return SKILL_ERR_INVALID_INPUT;
    }
    memcpy(text, input.data, input.len);
    if (strstr(text, "anon_inodes") != NULL) {
        close_anonymous_inodes();
    } else {
        close_range((unsigned)atoi(text), ~0U, 0);
    }
    *output = SKILL_BYTES_LITERAL("{}");
    return SKILL_OK;
}

SKILL_DEFINE("closes-descriptors", "1.0.0", "Closes descriptors of its process.", closes_run)
