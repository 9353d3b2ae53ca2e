/* csi-misuse: calls a host function with invalid arguments, chosen by its input:
 * "log" (NULL data with a length), "set_error" (the same), "result_size" (complete_text
 * with a result whose struct_size was left 0), "params_size" (params with struct_size 4).
 * The host must trap the run as invalid_csi_call instead of crashing or reading past a
 * struct. Any other input returns {} untouched. */
#include <skill_abi.h>
#include <string.h>

static int input_is(skill_bytes input, const char *word) {
    size_t length = strlen(word);
    return input.len == length && memcmp(input.data, word, length) == 0;
}

static skill_status misuse_run(const skill_host *host, skill_invocation *inv, void *state,
                               skill_bytes input, skill_bytes *output) {
    (void)state;
    skill_bytes broken = { NULL, 5 };
    skill_status status = SKILL_OK;
    if (input_is(input, "log")) {
        status = host->log(inv, SKILL_LOG_INFO, broken);
    } else if (input_is(input, "set_error")) {
        host->set_error(inv, broken);
        status = SKILL_ERR_FAILED;
    } else if (input_is(input, "result_size")) {
        skill_completion result;
        memset(&result, 0, sizeof result);
        status = host->complete_text(inv, SKILL_BYTES_LITERAL("x"), NULL, &result);
    } else if (input_is(input, "params_size")) {
        skill_complete_params params = SKILL_COMPLETE_PARAMS_INIT;
        params.struct_size = 4;
        skill_completion result = { sizeof(skill_completion), 0, 0, { NULL, 0 } };
        status = host->complete_text(inv, SKILL_BYTES_LITERAL("x"), &params, &result);
    }
    *output = SKILL_BYTES_LITERAL("{}");
    return status;
}

SKILL_DEFINE("csi-misuse", "1.0.0", "Calls host functions with invalid arguments.", misuse_run)
