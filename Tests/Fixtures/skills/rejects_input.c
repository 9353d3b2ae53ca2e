/* rejects-input: refuses every input with SKILL_ERR_INVALID_INPUT and a message, for tests
 * of the "invalid_input" error kind. */
#include <skill_abi.h>

static skill_status rejects_run(const skill_host *host, skill_invocation *inv, void *state,
                                skill_bytes input, skill_bytes *output) {
    (void)state; (void)input; (void)output;
    host->set_error(inv, SKILL_BYTES_LITERAL("this skill accepts no input at all"));
    return SKILL_ERR_INVALID_INPUT;
}

SKILL_DEFINE("rejects-input", "1.0.0", "Refuses every input.", rejects_run)
