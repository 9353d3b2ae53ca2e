/* spins-until-file: its input is a path (fixture_path.h); it spins at full speed, without
 * calling the host or sleeping, until a file exists there, then returns {}. For in-process deadlines: the run
 * times out while its thread keeps spinning, which nothing in the daemon can stop, and tests
 * end the spin by creating the file. */
#include "fixture_path.h"
#include <skill_abi.h>
#include <unistd.h>

static skill_status spin_run(const skill_host *host, skill_invocation *inv, void *state,
                             skill_bytes input, skill_bytes *output) {
    (void)state;
    char path[PATH_MAX];
    if (!fixture_path(host, inv, input, path)) return SKILL_ERR_INVALID_INPUT;
    for (;;) {
        for (volatile unsigned long spin = 0; spin < 1000000; spin++) {}
        if (access(path, F_OK) == 0) break;
    }
    *output = SKILL_BYTES_LITERAL("{}");
    return SKILL_OK;
}

SKILL_DEFINE("spins-until-file", "1.0.0", "Spins until the file named by its input exists.", spin_run)
