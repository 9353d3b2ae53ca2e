/* echo: returns its input unchanged. The simplest fixture: tests use it for round trips,
 * for input and output handling, and as the base of the wrong-architecture fixture. */
#include <skill_abi.h>

static skill_status echo_run(const skill_host *host, skill_invocation *inv, void *state,
                             skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state;
    *output = input;
    return SKILL_OK;
}

SKILL_DEFINE("echo", "1.0.0", "Returns its input unchanged.", echo_run)
