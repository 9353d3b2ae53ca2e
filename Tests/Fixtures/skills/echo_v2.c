/* echo_v2: version 2.0.0 of the echo skill, which wraps its input: it answers INPUT with
 * {"echoed":INPUT}. Installed beside echo (1.0.0), it is a second version of one skill,
 * for replaying a run on another version and comparing the outputs. */
#include <skill_abi.h>
#include <string.h>

static skill_status echo_v2_run(const skill_host *host, skill_invocation *inv, void *state,
                                skill_bytes input, skill_bytes *output) {
    (void)state;
    static const char prefix[] = "{\"echoed\":";
    static const char suffix[] = "}";
    size_t length = sizeof(prefix) - 1 + input.len + sizeof(suffix) - 1;
    char *text = host->alloc(inv, length);
    if (!text) return SKILL_ERR_FAILED;
    memcpy(text, prefix, sizeof(prefix) - 1);
    memcpy(text + sizeof(prefix) - 1, input.data, input.len);
    memcpy(text + sizeof(prefix) - 1 + input.len, suffix, sizeof(suffix) - 1);
    output->data = text;
    output->len = length;
    return SKILL_OK;
}

SKILL_DEFINE("echo", "2.0.0", "Returns its input wrapped as {\"echoed\": input}.", echo_v2_run)
