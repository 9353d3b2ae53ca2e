/* waits-for-file: its input is a path; it returns {} once a file exists there, polling
 * every 10 ms. Tests use it to hold a skill's thread for exactly as long as they need, then
 * let it go by creating the file, whatever the machine's load. */
#include "fixture_path.h"
#include <skill_abi.h>
#include <time.h>
#include <unistd.h>

static skill_status wait_run(const skill_host *host, skill_invocation *inv, void *state,
                             skill_bytes input, skill_bytes *output) {
    (void)state;
    char path[PATH_MAX];
    if (!fixture_path(host, inv, input, path)) return SKILL_ERR_INVALID_INPUT;
    struct timespec pause = { 0, 10 * 1000 * 1000 };
    while (access(path, F_OK) != 0) nanosleep(&pause, NULL);
    *output = SKILL_BYTES_LITERAL("{}");
    return SKILL_OK;
}

SKILL_DEFINE("waits-for-file", "1.0.0", "Returns once the file named by its input exists.", wait_run)
