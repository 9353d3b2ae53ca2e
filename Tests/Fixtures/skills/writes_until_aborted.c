/* writes-until-aborted: writes "." and logs "tick" every 2 ms until a host call fails (the
 * invocation was trapped: its deadline passed, say), then returns that status. It gives up
 * after 30 s. For tests that no event reaches the caller after the invocation ended. */
#include <skill_abi.h>
#include <unistd.h>

static skill_status writes_run(const skill_host *host, skill_invocation *inv, void *state,
                               skill_bytes input, skill_bytes *output) {
    (void)state; (void)input;
    for (int round = 0; round < 15000; round++) {
        skill_status status = host->write_output(inv, SKILL_BYTES_LITERAL("."));
        if (status == SKILL_OK) status = host->log(inv, SKILL_LOG_INFO, SKILL_BYTES_LITERAL("tick"));
        if (status != SKILL_OK) return status;
        usleep(2000);
    }
    *output = SKILL_BYTES_LITERAL("");
    return SKILL_OK;
}

SKILL_DEFINE("writes-until-aborted", "1.0.0", "Writes and logs until the host refuses.", writes_run)
