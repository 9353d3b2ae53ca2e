/* spins: loops forever in run without calling the host. For deadlines: only killing the
 * worker process ends it. */
#include <skill_abi.h>

static skill_status spins_run(const skill_host *host, skill_invocation *inv, void *state,
                              skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state; (void)input; (void)output;
    volatile unsigned long counter = 0;
    for (;;) counter++;
    return SKILL_OK;
}

SKILL_DEFINE("spins", "1.0.0", "Loops forever in run.", spins_run)
