/* complete-abi-1-0: a skill as it was built against ABI 1.0, to prove that a 1.1 host still
 * runs it. Its descriptor says 1.0 and has the 1.0 size; it completes its input with
 * complete_text and returns the text, passing a skill_complete_params laid out as in 1.0
 * (48 bytes, no `flags`) with max_tokens 8. That struct ends exactly where an unreadable
 * guard page begins: a host that read past the size the skill set (a 1.1 `flags`, say)
 * would crash instead of answering. */
#include <skill_abi.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* skill_complete_params of ABI 1.0. */
typedef struct params_1_0 {
    uint32_t struct_size;
    int32_t max_tokens;
    const char *model;
    double temperature;
    double top_p;
    int32_t top_k;
    uint32_t stop_count;
    const char *const *stop;
} params_1_0;

_Static_assert(sizeof(params_1_0) == SKILL_COMPLETE_PARAMS_SIZE_1_0, "the params of ABI 1.0");

static skill_status complete_1_0_run(const skill_host *host, skill_invocation *inv, void *state,
                                     skill_bytes input, skill_bytes *output) {
    (void)state;
    if (host->struct_size < SKILL_HOST_SIZE_1_0) {
        host->set_error(inv, SKILL_BYTES_LITERAL("the host table is smaller than ABI 1.0's"));
        return SKILL_ERR_FAILED;
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    unsigned char *pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED || mprotect(pages + page, page, PROT_NONE) != 0) {
        host->set_error(inv, SKILL_BYTES_LITERAL("cannot map the guard page"));
        return SKILL_ERR_FAILED;
    }
    params_1_0 *params = (params_1_0 *)(pages + page - sizeof(params_1_0));
    *params = (params_1_0){ SKILL_COMPLETE_PARAMS_SIZE_1_0, 8, NULL, -1.0, -1.0, 0, 0, NULL };
    skill_completion completion = { SKILL_COMPLETION_SIZE_1_0, 0, 0, { NULL, 0 } };
    skill_status status = host->complete_text(inv, input, (const skill_complete_params *)params, &completion);
    munmap(pages, 2 * page);
    if (status != SKILL_OK) return status;
    *output = completion.text;
    return SKILL_OK;
}

static const skill_descriptor descriptor = {
    SKILL_DESCRIPTOR_MAGIC, 1, 0, SKILL_DESCRIPTOR_SIZE_1_0, 0u, "complete-abi-1-0", "1.0.0",
    "Completes its input as a skill built for ABI 1.0 would.", NULL, NULL, NULL, complete_1_0_run, NULL};

SKILL_EXPORT const skill_descriptor *skill_entry(void) {
    return &descriptor;
}
