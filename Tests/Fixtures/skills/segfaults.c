/* segfaults: writes through a NULL pointer in run. For process isolation: the worker dies
 * with SIGSEGV, the run is recorded as crashed, and the daemon keeps serving. */
#include <skill_abi.h>

static skill_status segfaults_run(const skill_host *host, skill_invocation *inv, void *state,
                                  skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state; (void)input; (void)output;
    volatile int *nowhere = (volatile int *)0;
    *nowhere = 42;
    return SKILL_OK;
}

SKILL_DEFINE("segfaults", "1.0.0", "Crashes with SIGSEGV in run.", segfaults_run)
