/* abi-too-new: a skill built for the next ABI major version, which this host must refuse
 * at install time naming both versions. The descriptor is written by hand because
 * SKILL_DEFINE always stamps the current version. */
#include <skill_abi.h>

static skill_status too_new_run(const skill_host *host, skill_invocation *inv, void *state,
                                skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state; (void)input;
    *output = SKILL_BYTES_LITERAL("{}");
    return SKILL_OK;
}

static const skill_descriptor descriptor = {
    SKILL_DESCRIPTOR_MAGIC, SKILL_ABI_VERSION_MAJOR + 1, 0,
    (uint32_t)sizeof(skill_descriptor), 0u, "abi-too-new", "1.0.0",
    "Built for the next ABI major version.", NULL, NULL, NULL, too_new_run, NULL};

SKILL_EXPORT const skill_descriptor *skill_entry(void) {
    return &descriptor;
}
