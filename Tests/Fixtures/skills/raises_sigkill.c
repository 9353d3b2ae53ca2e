/* raises_sigkill: sends itself SIGKILL in run, far below any memory limit. For crash
 * messages: the run is crashed "killed by SIGKILL, not sent by the daemon", and nothing
 * blames memory or the OOM killer without evidence. */
#include <signal.h>
#include <skill_abi.h>

static skill_status raises_sigkill_run(const skill_host *host, skill_invocation *inv, void *state,
                                       skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state; (void)input; (void)output;
    raise(SIGKILL);
    return SKILL_OK;
}

SKILL_DEFINE("raises-sigkill", "1.0.0", "Sends itself SIGKILL in run.", raises_sigkill_run)
