/* reports-pid: returns {"pid": N, "pid_namespace": "pid:[INODE]"}, the process it runs in and
 * its PID namespace. Tests use it to tell which worker served a run (in process isolation,
 * where a sandboxed worker is pid 1 of a namespace of its own, the namespace tells it from
 * the others) or that a run ran in the daemon (in process). */
#include <skill_abi.h>
#include <stdio.h>
#include <unistd.h>

static skill_status pid_run(const skill_host *host, skill_invocation *inv, void *state,
                            skill_bytes input, skill_bytes *output) {
    (void)state;
    (void)input;
    char namespace[64] = "";
    ssize_t length = readlink("/proc/self/ns/pid", namespace, sizeof namespace - 1);
    namespace[length > 0 ? length : 0] = '\0';
    char *buffer = host->alloc(inv, 128);
    if (buffer == NULL) return SKILL_ERR_ABORTED;
    int written = snprintf(buffer, 128, "{\"pid\":%ld,\"pid_namespace\":\"%s\"}", (long)getpid(), namespace);
    *output = (skill_bytes){ buffer, (size_t)written };
    return SKILL_OK;
}

SKILL_DEFINE("reports-pid", "1.0.0", "Returns the pid of the process it runs in.", pid_run)
