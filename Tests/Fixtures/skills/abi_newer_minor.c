/* abi-newer-minor: a skill built for the next ABI minor version of the current major one.
 * It may call host functions this host lacks, so the host must refuse it at install time
 * naming both versions. The descriptor is written by hand. */
#include <skill_abi.h>

static skill_status newer_minor_run(const skill_host *host, skill_invocation *inv,
                                    void *state, skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state; (void)input;
    *output = SKILL_BYTES_LITERAL("{}");
    return SKILL_OK;
}

static const skill_descriptor descriptor = {
    SKILL_DESCRIPTOR_MAGIC, SKILL_ABI_VERSION_MAJOR, SKILL_ABI_VERSION_MINOR + 1,
    (uint32_t)sizeof(skill_descriptor), 0u, "abi-newer-minor", "1.0.0",
    "Built for the next ABI minor version.", NULL, NULL, NULL, newer_minor_run, NULL};

SKILL_EXPORT const skill_descriptor *skill_entry(void) {
    return &descriptor;
}
