/* streams: writes its output in pieces, two chunks with write_output and the rest as the
 * returned output, for tests that the host joins them in order into [1,2,3]. */
#include <skill_abi.h>

static skill_status streams_run(const skill_host *host, skill_invocation *inv, void *state,
                                skill_bytes input, skill_bytes *output) {
    (void)state; (void)input;
    skill_status status = host->write_output(inv, SKILL_BYTES_LITERAL("[1,"));
    if (status != SKILL_OK) return status;
    status = host->write_output(inv, SKILL_BYTES_LITERAL("2,"));
    if (status != SKILL_OK) return status;
    *output = SKILL_BYTES_LITERAL("3]");
    return SKILL_OK;
}

SKILL_DEFINE("streams", "1.0.0", "Streams [1,2,3] in three pieces.", streams_run)
