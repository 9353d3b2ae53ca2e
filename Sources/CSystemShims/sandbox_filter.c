#define _GNU_SOURCE
#include "cshim_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* MARK: Capabilities */

int cshim_sandbox_drop_capabilities(const char **failed_call) {
    /* First, while CAP_SETPCAP is still held: uid 0 gets no capability from execve, and
     * none of these bits can be changed back. */
    unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED
        | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
    if (prctl(PR_SET_SECUREBITS, bits, 0UL, 0UL, 0UL) != 0) {
        *failed_call = "prctl(PR_SET_SECUREBITS)";
        return errno;
    }
    for (unsigned long capability = 0; prctl(PR_CAPBSET_READ, capability, 0UL, 0UL, 0UL) >= 0; capability++) {
        if (prctl(PR_CAPBSET_DROP, capability, 0UL, 0UL, 0UL) != 0) {
            *failed_call = "prctl(PR_CAPBSET_DROP)";
            return errno;
        }
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0UL, 0UL, 0UL) != 0) {
        *failed_call = "prctl(PR_CAP_AMBIENT_CLEAR_ALL)";
        return errno;
    }
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3];
    memset(none, 0, sizeof none);
    if (syscall(SYS_capset, &header, none) != 0) {
        *failed_call = "capset";
        return errno;
    }
    return 0;
}

int cshim_sandbox_set_no_new_privileges(void) {
    return prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL) == 0 ? 0 : errno;
}

/* MARK: Landlock
 * The kernel's interface as of ABI 6, declared here: Debian 12's headers stop at ABI 3. */

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

struct landlock_attributes {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

struct landlock_path_beneath {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

enum {
    landlock_rule_path_beneath = 1,
    landlock_create_ruleset_version = 1,
};

#define ACCESS_EXECUTE (1ULL << 0)
#define ACCESS_WRITE_FILE (1ULL << 1)
#define ACCESS_READ_FILE (1ULL << 2)
#define ACCESS_READ_DIR (1ULL << 3)
#define ACCESS_TRUNCATE (1ULL << 14)
#define ACCESS_IOCTL_DEV (1ULL << 15)
#define ACCESS_NET_BIND_TCP (1ULL << 0)
#define ACCESS_NET_CONNECT_TCP (1ULL << 1)
#define SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define SCOPE_SIGNAL (1ULL << 1)

/* Every file system right ABI `abi` knows: 13 in ABI 1, REFER in 2, TRUNCATE in 3,
 * IOCTL_DEV in 5. */
static uint64_t file_system_rights(int abi) {
    int bits = abi >= 5 ? 16 : abi >= 3 ? 15 : abi >= 2 ? 14 : 13;
    return (1ULL << bits) - 1;
}

int cshim_landlock_abi(int *error) {
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, landlock_create_ruleset_version);
    if (abi < 0) {
        *error = errno;
        return 0;
    }
    return (int)abi;
}

int cshim_landlock_restrict(const cshim_landlock_rule *rules, size_t count, int abi, int deny_tcp,
                            const char **failed_path) {
    *failed_path = NULL;
    uint64_t all = file_system_rights(abi);
    struct landlock_attributes attributes = {all, 0, 0};
    size_t size = sizeof attributes.handled_access_fs;
    if (abi >= 4) {
        size += sizeof attributes.handled_access_net;
        if (deny_tcp) attributes.handled_access_net = ACCESS_NET_BIND_TCP | ACCESS_NET_CONNECT_TCP;
    }
    if (abi >= 6) {
        size += sizeof attributes.scoped;
        attributes.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL;
    }
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attributes, size, 0);
    if (ruleset < 0) return errno;
    uint64_t file_rights = ACCESS_EXECUTE | ACCESS_WRITE_FILE | ACCESS_READ_FILE | ACCESS_TRUNCATE | ACCESS_IOCTL_DEV;
    for (size_t index = 0; index < count; index++) {
        int fd = open(rules[index].path, O_PATH | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT) continue;
            *failed_path = rules[index].path;
            int code = errno;
            close(ruleset);
            return code;
        }
        struct stat status;
        uint64_t allowed = rules[index].writable ? all : ACCESS_EXECUTE | ACCESS_READ_FILE | ACCESS_READ_DIR;
        if (fstat(fd, &status) == 0 && !S_ISDIR(status.st_mode)) allowed &= file_rights;
        struct landlock_path_beneath rule = {allowed & all, fd};
        long added = syscall(SYS_landlock_add_rule, ruleset, landlock_rule_path_beneath, &rule, 0);
        int code = errno;
        close(fd);
        if (added != 0) {
            *failed_path = rules[index].path;
            close(ruleset);
            return code;
        }
    }
    long restricted = syscall(SYS_landlock_restrict_self, ruleset, 0);
    int code = errno;
    close(ruleset);
    return restricted == 0 ? 0 : code;
}

/* MARK: seccomp */

#if defined(__x86_64__)
#define FILTER_ARCHITECTURE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define FILTER_ARCHITECTURE AUDIT_ARCH_AARCH64
#else
#error "the worker's seccomp filter knows x86_64 and aarch64 only"
#endif

/* The calls a skill never needs: another process's memory, the kernel's configuration,
 * mounts and namespaces (the view and the namespaces are the sandbox), keys, modules,
 * BPF, performance counters and io_uring (whose operations seccomp cannot see). */
static const int refused_calls[] = {
    SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev, SYS_kcmp, SYS_pidfd_getfd,
    SYS_mount, SYS_umount2, SYS_pivot_root, SYS_chroot, SYS_open_tree, SYS_move_mount, SYS_fsopen,
    SYS_fsconfig, SYS_fsmount, SYS_fspick, SYS_mount_setattr, SYS_unshare, SYS_setns,
    SYS_bpf, SYS_perf_event_open, SYS_userfaultfd,
    SYS_kexec_load, SYS_kexec_file_load, SYS_reboot, SYS_swapon, SYS_swapoff, SYS_acct, SYS_quotactl,
    SYS_init_module, SYS_finit_module, SYS_delete_module,
    SYS_keyctl, SYS_add_key, SYS_request_key,
    SYS_open_by_handle_at, SYS_name_to_handle_at,
    SYS_settimeofday, SYS_clock_settime, SYS_clock_adjtime, SYS_adjtimex, SYS_syslog, SYS_vhangup,
    SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register,
#ifdef SYS_iopl
    SYS_iopl, SYS_ioperm,
#endif
#ifdef SYS_uselib
    SYS_uselib,
#endif
};

enum { refused_count = sizeof refused_calls / sizeof refused_calls[0] };

size_t cshim_seccomp_refused_count(void) { return refused_count; }

#define NAMESPACE_FLAGS (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP)
#define RETURN_ERROR(code) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((code) & SECCOMP_RET_DATA))

int cshim_seccomp_install(void) {
    struct sock_filter program[16 + 2 * refused_count];
    size_t length = 0;
    program[length++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    program[length++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FILTER_ARCHITECTURE, 1, 0);
    program[length++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    program[length++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
    /* The x32 numbering would reach every call again under other numbers. */
    program[length++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1);
    program[length++] = (struct sock_filter)RETURN_ERROR(EPERM);
#endif
    /* clone3 passes its flags in memory, out of the filter's sight: ENOSYS makes glibc fall
     * back to clone, whose flags it sees. */
    program[length++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1);
    program[length++] = (struct sock_filter)RETURN_ERROR(ENOSYS);
    for (size_t index = 0; index < refused_count; index++) {
        program[length++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)refused_calls[index], 0, 1);
        program[length++] = (struct sock_filter)RETURN_ERROR(EPERM);
    }
    program[length++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 1, 0);
    program[length++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    /* clone's flags are its first argument on both architectures; the low word holds them. */
    program[length++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
    program[length++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NAMESPACE_FLAGS, 0, 1);
    program[length++] = (struct sock_filter)RETURN_ERROR(EPERM);
    program[length++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog filter = {(unsigned short)length, program};
    long installed = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &filter);
    if (installed < 0) return errno;
    /* With TSYNC, a positive result is a thread that could not take the filter. */
    return installed == 0 ? 0 : EAGAIN;
}
