/* exits: calls exit(3) in run, as a careless skill might. For process isolation: the run
 * is recorded as crashed with "exited with status 3". */
#include <skill_abi.h>
#include <stdlib.h>

static skill_status exits_run(const skill_host *host, skill_invocation *inv, void *state,
                              skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state; (void)input; (void)output;
    exit(3);
}

SKILL_DEFINE("exits", "1.0.0", "Calls exit(3) in run.", exits_run)
