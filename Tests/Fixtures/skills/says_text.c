/* says-text: answers its input's first byte as a choice of output that is plain text
 * (`t`: the text hi, not JSON) or the JSON string "hi" (anything else), for tests that a
 * client can tell the two apart by output_kind. */
#include <skill_abi.h>

static skill_status says_text_run(const skill_host *host, skill_invocation *inv, void *state,
                                  skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state;
    /* The input is JSON text: "t" arrives as the three bytes "t". */
    int text = input.len >= 2 && input.data[1] == 't';
    *output = text ? SKILL_BYTES_LITERAL("hi") : SKILL_BYTES_LITERAL("\"hi\"");
    return SKILL_OK;
}

SKILL_DEFINE("says-text", "1.0.0", "Says hi, as text or as a JSON string.", says_text_run)
