/* allocates: mallocs 64 MiB chunks and touches every page of each, forever. Under a memory
 * limit (RLIMIT_AS) malloc eventually returns NULL and touching it ends the worker with
 * SIGSEGV; without one the deadline or the kernel stops it. */
#include <skill_abi.h>
#include <stdlib.h>
#include <string.h>

static skill_status allocates_run(const skill_host *host, skill_invocation *inv, void *state,
                                  skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state; (void)input; (void)output;
    const size_t chunk = 64u << 20;
    for (;;) {
        char *memory = malloc(chunk);
        memset(memory, 1, chunk); /* NULL once the limit is reached: SIGSEGV */
    }
    return SKILL_OK;
}

SKILL_DEFINE("allocates", "1.0.0", "Allocates memory without bound.", allocates_run)
