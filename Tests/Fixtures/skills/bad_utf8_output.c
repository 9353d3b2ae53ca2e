/* bad-utf8-output: returns output that is not UTF-8, which the host must refuse
 * (error kind "skill_failed") instead of storing or forwarding it. */
#include <skill_abi.h>

static skill_status bad_utf8_run(const skill_host *host, skill_invocation *inv, void *state,
                                 skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state; (void)input;
    *output = SKILL_BYTES_LITERAL("\xff\xfe not utf8");
    return SKILL_OK;
}

SKILL_DEFINE("bad-utf8-output", "1.0.0", "Returns bytes that are not UTF-8.", bad_utf8_run)
