/* bad-magic: skill_entry returns a descriptor whose magic is wrong (here the bytes "NOPE"),
 * as a stray symbol of the same name would; the host must refuse it before reading any
 * other field. */
#include <skill_abi.h>

static skill_status bad_magic_run(const skill_host *host, skill_invocation *inv, void *state,
                                  skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state; (void)input;
    *output = SKILL_BYTES_LITERAL("{}");
    return SKILL_OK;
}

static const skill_descriptor descriptor = {
    0x45504F4Eu, SKILL_ABI_VERSION_MAJOR, SKILL_ABI_VERSION_MINOR,
    (uint32_t)sizeof(skill_descriptor), 0u, "bad-magic", "1.0.0",
    "A descriptor with the wrong magic.", NULL, NULL, NULL, bad_magic_run, NULL};

SKILL_EXPORT const skill_descriptor *skill_entry(void) {
    return &descriptor;
}
