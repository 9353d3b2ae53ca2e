/* fails-with-input: fails with SKILL_ERR_FAILED and its input, as given, as the message, for
 * tests of how what a run's error says is shown (the status page escapes it). */
#include <skill_abi.h>

static skill_status fails_with_input_run(const skill_host *host, skill_invocation *inv, void *state,
                                         skill_bytes input, skill_bytes *output) {
    (void)state; (void)output;
    host->set_error(inv, input);
    return SKILL_ERR_FAILED;
}

SKILL_DEFINE("fails-with-input", "1.0.0", "Fails with its input as the message.", fails_with_input_run)
