/* The worker sandbox (docs/SECURITY.md), in the calls Swift cannot make safely or at all:
 * a clone(2) into new namespaces from a multi-threaded daemon (the child may only make
 * async-signal-safe calls until it executes the worker), and the worker's own set-up of
 * its file system view, capabilities, Landlock and seccomp, which have no glibc wrappers.
 *
 * Threads: cshim_sandbox_spawn may be called from any thread of the daemon; every other
 * call is made by the worker on its main thread, before it starts any other thread
 * (capabilities and no_new_privs are per thread; the seccomp filter is synchronised to all
 * threads anyway). Ownership: no call keeps a pointer it was given past its return. */
#ifndef CSHIM_SANDBOX_H
#define CSHIM_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/** The namespaces a worker may be started in, as clone(2) flags. */
#define CSHIM_NAMESPACE_USER 0x10000000UL
#define CSHIM_NAMESPACE_MOUNT 0x00020000UL
#define CSHIM_NAMESPACE_PID 0x20000000UL
#define CSHIM_NAMESPACE_NETWORK 0x40000000UL
#define CSHIM_NAMESPACE_IPC 0x08000000UL
#define CSHIM_NAMESPACE_UTS 0x04000000UL
#define CSHIM_NAMESPACE_CGROUP 0x02000000UL

/** How to start one worker. */
typedef struct cshim_sandbox_start {
    /** The executable, its arguments and its environment, each NULL-terminated. */
    const char *path;
    char *const *argv;
    char *const *envp;
    /** descriptors[i] becomes descriptor i + 1 of the child; descriptor 0 is /dev/null, and
     * every descriptor above `descriptor_count` is closed. At most 8; -1: that number is
     * left closed. */
    const int *descriptors;
    int descriptor_count;
    /** CSHIM_NAMESPACE_* flags; 0 starts the worker in the daemon's namespaces. With
     * CSHIM_NAMESPACE_USER, uid and gid 0 of the new user namespace map to `outer_uid` and
     * `outer_gid`, and the child takes them before it executes. */
    unsigned long namespaces;
    uint32_t outer_uid;
    uint32_t outer_gid;
    /** Nonzero when the daemon is privileged (root): the child clears its supplementary
     * groups. Otherwise setgroups(2) is denied in the namespace, as the kernel requires. */
    int clear_groups;
    /** Nonzero for an unprivileged daemon's user namespace when the executable waits for
     * its identity (`skillhost-worker-init --start-fd`): the child executes before its maps
     * are written, and the parent writes them once the execve has happened, then one byte
     * to descriptor `descriptor_count + 1` of the child. Only a process that holds none of
     * the daemon's memory is ever dumpable (the kernel lets the daemon write the maps of a
     * dumpable process only). Zero: the child waits for its maps before it executes, made
     * dumpable for that while if the daemon is not root. */
    int map_after_execve;
} cshim_sandbox_start;

/** Starts the worker: a new process group of its own, an empty signal mask, every signal
 * at its default disposition, the parent-death signal SIGKILL, then execve. Returns 0 with
 * `*pid` set, or an error number with `*failed_call` naming the step that failed (a static
 * string): "clone" when the namespaces cannot be created (EPERM, EINVAL, ENOSPC, EUSERS:
 * the caller may try again without them), "uid_map", "execve", .... */
int cshim_sandbox_spawn(const cshim_sandbox_start *spawn, pid_t *pid, const char **failed_call);

/** The kinds of entry of a file system view. */
typedef enum cshim_view_entry_kind {
    /** `source` bound at `target`, read-only, no set-uid, no devices. */
    CSHIM_VIEW_BIND_READ_ONLY = 0,
    /** The device file `source` bound at `target`, writable, no set-uid, no execution. */
    CSHIM_VIEW_BIND_DEVICE = 1,
    /** A symbolic link at `target` whose text is `source`. */
    CSHIM_VIEW_SYMLINK = 2,
    /** A new tmpfs at `target` of at most `size_bytes`, mode 1777 (0755 with `read_only`
     * later), no set-uid, no devices. */
    CSHIM_VIEW_TMPFS = 3,
    /** A new procfs at `target` (of the worker's PID namespace), no set-uid, no execution. */
    CSHIM_VIEW_PROC = 4,
} cshim_view_entry_kind;

/** One entry of a file system view; `source` is a path of the daemon's view. */
typedef struct cshim_view_entry {
    cshim_view_entry_kind kind;
    const char *source;
    const char *target;
    uint64_t size_bytes;
} cshim_view_entry;

/** Makes the worker's root a new, empty tmpfs holding only `entries`, in order (the old
 * root is detached at the end, so nothing else stays reachable), and changes to it.
 * Needs a mount namespace of the worker's own user namespace. Returns 0, or an error
 * number with `*failed_entry` (count for a step of no entry) and `*failed_call` set. */
int cshim_sandbox_enter_view(const cshim_view_entry *entries, size_t count, size_t *failed_entry,
                             const char **failed_call);

/** Makes the mount at `path` read-only (not those below it). Returns 0 or an error number. */
int cshim_sandbox_make_read_only(const char *path);

/** Drops every capability for good: the bounding, ambient, inheritable, permitted and
 * effective sets, with the securebits that keep an execve as uid 0 from giving them back
 * locked. Returns 0, or an error number with `*failed_call` set. */
int cshim_sandbox_drop_capabilities(const char **failed_call);

/** prctl(PR_SET_NO_NEW_PRIVS, 1): execve never grants privileges again. Returns 0 or an
 * error number. */
int cshim_sandbox_set_no_new_privileges(void);

/** The Landlock ABI version the kernel offers (1 and up), or 0 with `*error` set when it
 * has none (ENOSYS: not built in; EOPNOTSUPP: not enabled at boot). */
int cshim_landlock_abi(int *error);

/** One path a Landlock domain lets through: read and execute, or everything (`writable`). */
typedef struct cshim_landlock_rule {
    const char *path;
    int writable;
} cshim_landlock_rule;

/** Restricts the worker to `rules` for every file system access the kernel's Landlock ABI
 * `abi` knows; with `deny_tcp` (ABI 4 and up) no TCP bind or connect at all; from ABI 6
 * on, no signal to and no abstract Unix socket of a process outside the domain. A rule
 * whose path does not exist is skipped. Needs no_new_privs. Returns 0, or an error number
 * with `*failed_path` (NULL for a step of no path) set. */
int cshim_landlock_restrict(const cshim_landlock_rule *rules, size_t count, int abi, int deny_tcp,
                            const char **failed_path);

/** Installs the worker's seccomp filter on every thread: the system calls a skill never
 * needs (ptrace, process_vm_readv/writev, mount and pivot_root, bpf, perf_event_open,
 * kexec, keyctl, module loading, namespaces, io_uring, ...) fail with EPERM; a call of
 * another architecture ends the process. Needs no_new_privs. Returns 0 or an error number. */
int cshim_seccomp_install(void);

/** The number of system calls the filter of cshim_seccomp_install refuses. */
size_t cshim_seccomp_refused_count(void);

#endif
