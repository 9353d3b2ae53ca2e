/* chats: asks the host's chat function (ABI 1.1) for the assistant's reply and returns it.
 * The input is {"system": "...", "user": "..."} (flat JSON strings without escapes; "system"
 * is optional) or, when it does not start with '{', the user's message as raw text. It
 * sends max_tokens 48, temperature 0.5 and the stop sequence "<end>", so that tests can see
 * the parameters travel. A host without chat fails the run, saying so. */
#include <skill_abi.h>
#include <string.h>

/* The string value of `key` (quoted, such as "\"user\"") in a flat JSON object, or len 0. */
static skill_bytes find_string(skill_bytes input, const char *key) {
    size_t key_length = strlen(key);
    for (size_t i = 0; i + key_length <= input.len; i++) {
        if (memcmp(input.data + i, key, key_length) != 0) continue;
        size_t j = i + key_length;
        while (j < input.len && (input.data[j] == ' ' || input.data[j] == ':')) j++;
        if (j >= input.len || input.data[j] != '"') break;
        size_t start = ++j;
        while (j < input.len && input.data[j] != '"') j++;
        if (j >= input.len) break;
        return (skill_bytes){ input.data + start, j - start };
    }
    return (skill_bytes){ NULL, 0 };
}

static skill_status chats_run(const skill_host *host, skill_invocation *inv, void *state,
                              skill_bytes input, skill_bytes *output) {
    (void)state;
    if (!SKILL_HOST_HAS(host, chat)) {
        host->set_error(inv, SKILL_BYTES_LITERAL("this host offers no chat"));
        return SKILL_ERR_FAILED;
    }
    skill_chat_message messages[2];
    size_t count = 0;
    if (input.len > 0 && input.data[0] == '{') {
        skill_bytes system = find_string(input, "\"system\"");
        if (system.len > 0) {
            messages[count++] = (skill_chat_message){ SKILL_BYTES_LITERAL("system"), system };
        }
        messages[count++] = (skill_chat_message){ SKILL_BYTES_LITERAL("user"), find_string(input, "\"user\"") };
    } else {
        messages[count++] = (skill_chat_message){ SKILL_BYTES_LITERAL("user"), input };
    }

    static const char *const stop[] = { "<end>" };
    skill_complete_params params = SKILL_COMPLETE_PARAMS_INIT;
    params.max_tokens = 48;
    params.temperature = 0.5;
    params.stop_count = 1;
    params.stop = stop;
    skill_completion reply = { sizeof(skill_completion), 0, 0, { NULL, 0 } };
    skill_status status = host->chat(inv, messages, count, &params, &reply);
    if (status != SKILL_OK) return status;
    *output = reply.text;
    return SKILL_OK;
}

SKILL_DEFINE("chats", "1.0.0", "Returns the assistant's reply to a system and a user message.", chats_run)
