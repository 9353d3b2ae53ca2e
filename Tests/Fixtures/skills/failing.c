/* failing: always fails with SKILL_ERR_FAILED and a message, for tests of how a skill's
 * own failure is reported (run status "failed", error kind "skill_failed"). */
#include <skill_abi.h>

static skill_status failing_run(const skill_host *host, skill_invocation *inv, void *state,
                                skill_bytes input, skill_bytes *output) {
    (void)state; (void)input; (void)output;
    host->set_error(inv, SKILL_BYTES_LITERAL("the skill failed on purpose"));
    return SKILL_ERR_FAILED;
}

SKILL_DEFINE("failing", "1.0.0", "Always fails, on purpose.", failing_run)
