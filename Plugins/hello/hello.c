/* hello: the smallest useful skill. It needs no inference: it reads {"name": "..."} and
 * answers {"greeting": "Hello, <name>!"}. An input without a string "name" greets the world. */
#include <skill_abi.h>
#include <stdio.h>
#include <string.h>

/* Finds the string value of "name" in a flat JSON object; good enough for an example. */
static skill_bytes find_name(skill_bytes input) {
    static const char key[] = "\"name\"";
    for (size_t i = 0; i + sizeof key - 1 <= input.len; i++) {
        if (memcmp(input.data + i, key, sizeof key - 1) != 0) continue;
        size_t j = i + sizeof key - 1;
        while (j < input.len && (input.data[j] == ' ' || input.data[j] == ':')) j++;
        if (j >= input.len || input.data[j] != '"') break;
        size_t start = ++j;
        while (j < input.len && input.data[j] != '"' && input.data[j] != '\\') j++;
        if (j >= input.len || input.data[j] != '"') break;
        return (skill_bytes){ input.data + start, j - start };
    }
    return SKILL_BYTES_LITERAL("world");
}

static skill_status hello_run(const skill_host *host, skill_invocation *inv, void *state,
                              skill_bytes input, skill_bytes *output) {
    (void)state;
    skill_bytes name = find_name(input);
    if (name.len > 256) {
        host->set_error(inv, SKILL_BYTES_LITERAL("\"name\" is longer than 256 bytes"));
        return SKILL_ERR_INVALID_INPUT;
    }
    size_t capacity = name.len + 32;
    char *buffer = host->alloc(inv, capacity);
    if (buffer == NULL) return SKILL_ERR_ABORTED;
    int written = snprintf(buffer, capacity, "{\"greeting\":\"Hello, %.*s!\"}", (int)name.len, name.data);
    host->log(inv, SKILL_LOG_INFO, SKILL_BYTES_LITERAL("greeted"));
    *output = (skill_bytes){ buffer, (size_t)written };
    return SKILL_OK;
}

SKILL_DEFINE("hello", "1.0.0", "Greets the name given in its input; needs no model.", hello_run)
