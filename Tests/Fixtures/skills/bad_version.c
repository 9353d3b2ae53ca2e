/* bad-version: a descriptor whose version, "one", is not a semantic version; the host
 * must refuse it at install time naming the field. */
#include <skill_abi.h>

static skill_status bad_version_run(const skill_host *host, skill_invocation *inv,
                                    void *state, skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state; (void)input;
    *output = SKILL_BYTES_LITERAL("{}");
    return SKILL_OK;
}

SKILL_DEFINE("bad-version", "one", "A skill with an invalid version.", bad_version_run)
