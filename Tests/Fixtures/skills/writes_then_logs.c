/* writes-then-logs: streams output that does not end with a newline, then logs a line, as
 * a skill that streams a completion and logs its token counts does; for tests that the
 * log line starts on a line of its own where both streams meet. */
#include <skill_abi.h>

static skill_status writes_then_logs_run(const skill_host *host, skill_invocation *inv, void *state,
                                         skill_bytes input, skill_bytes *output) {
    (void)state; (void)input;
    skill_status status = host->write_output(inv, SKILL_BYTES_LITERAL("and they were tired"));
    if (status != SKILL_OK) return status;
    host->log(inv, SKILL_LOG_INFO, SKILL_BYTES_LITERAL("6 prompt tokens, 5 completion tokens"));
    *output = SKILL_BYTES_LITERAL("");
    return SKILL_OK;
}

SKILL_DEFINE("writes-then-logs", "1.0.0", "Writes text without a final newline, then logs.", writes_then_logs_run)
