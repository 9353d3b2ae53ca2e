/* huge-output: returns 64 MiB of 'a', more than the daemon's output cap (16 MiB by
 * default). The run is refused with a clear error. */
#include <skill_abi.h>
#include <string.h>

static skill_status huge_run(const skill_host *host, skill_invocation *inv, void *state,
                             skill_bytes input, skill_bytes *output) {
    (void)state; (void)input;
    const size_t size = 64u << 20;
    char *memory = host->alloc(inv, size);
    if (memory == NULL) return SKILL_ERR_FAILED;
    memset(memory, 'a', size);
    *output = (skill_bytes){ memory, size };
    return SKILL_OK;
}

SKILL_DEFINE("huge-output", "1.0.0", "Returns 64 MiB of output.", huge_run)
