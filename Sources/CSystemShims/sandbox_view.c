#define _GNU_SOURCE
#include "cshim_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

/* The old root, while the view is built from it. */
static const char old_root[] = "/.oldroot";

/* struct mount_attr of mount_setattr(2), which Debian 12's glibc does not declare. */
struct view_mount_attributes {
    uint64_t attr_set;
    uint64_t attr_clr;
    uint64_t propagation;
    uint64_t userns_fd;
};
enum {
    attribute_read_only = 0x1,
    attribute_no_setuid = 0x2,
    attribute_no_devices = 0x4,
    attribute_no_execution = 0x8,
    at_recursive = 0x8000,
};

/* Adds `attributes` to the mounts at and below `path`, keeping the flags the kernel
 * locked on them (a remount would have to repeat those). */
static int set_attributes(const char *path, uint64_t attributes, int recursive) {
    struct view_mount_attributes change = {attributes, 0, 0, 0};
    if (syscall(SYS_mount_setattr, AT_FDCWD, path, recursive ? at_recursive : 0, &change, sizeof change) != 0) return errno;
    return 0;
}

int cshim_sandbox_make_read_only(const char *path) {
    return set_attributes(path, attribute_read_only | attribute_no_setuid | attribute_no_devices, 0);
}

/* Creates the directories above `path` (a path of the new root), like mkdir -p. */
static int make_parents(const char *path) {
    char buffer[PATH_MAX];
    size_t length = strlen(path);
    if (length >= sizeof buffer) return ENAMETOOLONG;
    memcpy(buffer, path, length + 1);
    for (char *slash = strchr(buffer + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(buffer, 0755) != 0 && errno != EEXIST) return errno;
        *slash = '/';
    }
    return 0;
}

/* Creates what `target` is mounted on: a directory, or an empty file for a file. */
static int make_mount_point(const char *target, int directory) {
    int code = make_parents(target);
    if (code != 0) return code;
    if (directory) return mkdir(target, 0755) == 0 || errno == EEXIST ? 0 : errno;
    int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return errno;
    close(fd);
    return 0;
}

static int bind(const char *source, const char *target, uint64_t attributes, const char **failed_call) {
    char from[PATH_MAX];
    if ((size_t)snprintf(from, sizeof from, "%s%s", old_root, source) >= sizeof from) return ENAMETOOLONG;
    struct stat status;
    if (stat(from, &status) != 0) {
        *failed_call = "stat";
        return errno;
    }
    int code = make_mount_point(target, S_ISDIR(status.st_mode));
    if (code != 0) {
        *failed_call = "mkdir";
        return code;
    }
    if (mount(from, target, NULL, MS_BIND | MS_REC, NULL) != 0) {
        *failed_call = "mount(MS_BIND)";
        return errno;
    }
    if ((code = set_attributes(target, attributes, 1)) != 0) *failed_call = "mount_setattr";
    return code;
}

static int add_entry(const cshim_view_entry *entry, const char **failed_call) {
    int code;
    switch (entry->kind) {
    case CSHIM_VIEW_BIND_READ_ONLY:
        return bind(entry->source, entry->target, attribute_read_only | attribute_no_setuid | attribute_no_devices,
                    failed_call);
    case CSHIM_VIEW_BIND_DEVICE:
        return bind(entry->source, entry->target, attribute_no_setuid | attribute_no_execution, failed_call);
    case CSHIM_VIEW_SYMLINK:
        if ((code = make_parents(entry->target)) != 0) {
            *failed_call = "mkdir";
            return code;
        }
        *failed_call = "symlink";
        return symlink(entry->source, entry->target) == 0 ? 0 : errno;
    case CSHIM_VIEW_TMPFS: {
        if ((code = make_mount_point(entry->target, 1)) != 0) {
            *failed_call = "mkdir";
            return code;
        }
        char options[64];
        snprintf(options, sizeof options, "mode=1777,size=%llu", (unsigned long long)entry->size_bytes);
        *failed_call = "mount(tmpfs)";
        return mount("tmpfs", entry->target, "tmpfs", MS_NOSUID | MS_NODEV, options) == 0 ? 0 : errno;
    }
    case CSHIM_VIEW_PROC:
        if ((code = make_mount_point(entry->target, 1)) != 0) {
            *failed_call = "mkdir";
            return code;
        }
        *failed_call = "mount(proc)";
        return mount("proc", entry->target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0 ? 0 : errno;
    }
    *failed_call = "an unknown kind of entry";
    return EINVAL;
}

int cshim_sandbox_enter_view(const cshim_view_entry *entries, size_t count, size_t *failed_entry,
                             const char **failed_call) {
    *failed_entry = count;
    /* Nothing mounted here may propagate back to the daemon's mount namespace. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        *failed_call = "mount(MS_PRIVATE)";
        return errno;
    }
    /* The new root: an empty tmpfs that holds mount points only. /tmp is merely where it is
     * mounted until pivot_root makes it the root; the old root, below it, keeps its /tmp. */
    if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m,nr_inodes=4096") != 0) {
        *failed_call = "mount(tmpfs) of the new root";
        return errno;
    }
    if (mkdir("/tmp/.oldroot", 0700) != 0) {
        *failed_call = "mkdir of the old root's mount point";
        return errno;
    }
    if (syscall(SYS_pivot_root, "/tmp", "/tmp/.oldroot") != 0) {
        *failed_call = "pivot_root";
        return errno;
    }
    if (chdir("/") != 0) {
        *failed_call = "chdir";
        return errno;
    }
    for (size_t index = 0; index < count; index++) {
        int code = add_entry(&entries[index], failed_call);
        if (code != 0) {
            *failed_entry = index;
            return code;
        }
    }
    if (umount2(old_root, MNT_DETACH) != 0) {
        *failed_call = "umount2 of the old root";
        return errno;
    }
    if (rmdir(old_root) != 0) {
        *failed_call = "rmdir of the old root's mount point";
        return errno;
    }
    return 0;
}
