/* csi-misuse: calls a host function with invalid arguments, chosen by its input:
 * "log" (NULL data with a length), "set_error" (the same), "result_size" (complete_text
 * with a result whose struct_size was left 0), "params_size" (params with struct_size 4),
 * "params_flags" (an unknown flag bit), and for chat: "chat_no_messages" (a count of 0),
 * "chat_null_messages" (NULL with a count of 2), "chat_null_role" (a role whose data is
 * NULL with a length), "chat_empty_role", "chat_bad_utf8" (content that is not UTF-8).
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
    } else if (input_is(input, "params_flags")) {
        skill_complete_params params = SKILL_COMPLETE_PARAMS_INIT;
        params.flags = 0x80u;
        skill_completion result = { sizeof(skill_completion), 0, 0, { NULL, 0 } };
        status = host->complete_text(inv, SKILL_BYTES_LITERAL("x"), &params, &result);
    } else if (input.len > 5 && memcmp(input.data, "chat_", 5) == 0) {
        skill_chat_message message = { SKILL_BYTES_LITERAL("user"), SKILL_BYTES_LITERAL("hi") };
        const skill_chat_message *messages = &message;
        size_t count = 1;
        if (input_is(input, "chat_no_messages")) {
            count = 0;
        } else if (input_is(input, "chat_null_messages")) {
            messages = NULL;
            count = 2;
        } else if (input_is(input, "chat_null_role")) {
            message.role = broken;
        } else if (input_is(input, "chat_empty_role")) {
            message.role = (skill_bytes){ "", 0 };
        } else if (input_is(input, "chat_bad_utf8")) {
            message.content = SKILL_BYTES_LITERAL("\xff\xfe");
        }
        skill_completion result = { sizeof(skill_completion), 0, 0, { NULL, 0 } };
        status = host->chat(inv, messages, count, NULL, &result);
    }
    *output = SKILL_BYTES_LITERAL("{}");
    return status;
}

SKILL_DEFINE("csi-misuse", "1.0.0", "Calls host functions with invalid arguments.", misuse_run)
