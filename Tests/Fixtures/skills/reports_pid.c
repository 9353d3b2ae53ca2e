/* reports-pid: returns {"pid": N}, the process it runs in. Tests use it to tell which worker
 * served a run (in process isolation) or that a run ran in the daemon (in process). */
#include <skill_abi.h>
#include <stdio.h>
#include <unistd.h>

static skill_status pid_run(const skill_host *host, skill_invocation *inv, void *state,
                            skill_bytes input, skill_bytes *output) {
    (void)state;
    (void)input;
    char *buffer = host->alloc(inv, 32);
    if (buffer == NULL) return SKILL_ERR_ABORTED;
    int length = snprintf(buffer, 32, "{\"pid\":%ld}", (long)getpid());
    *output = (skill_bytes){ buffer, (size_t)length };
    return SKILL_OK;
}

SKILL_DEFINE("reports-pid", "1.0.0", "Returns the pid of the process it runs in.", pid_run)
