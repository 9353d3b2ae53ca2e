/* bad-name: a descriptor whose name, "Bad Name!", breaks the naming rule ([a-z0-9-]); the
 * host must refuse it at install time naming the field. */
#include <skill_abi.h>

static skill_status bad_name_run(const skill_host *host, skill_invocation *inv, void *state,
                                 skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state; (void)input;
    *output = SKILL_BYTES_LITERAL("{}");
    return SKILL_OK;
}

SKILL_DEFINE("Bad Name!", "1.0.0", "A skill with an invalid name.", bad_name_run)
