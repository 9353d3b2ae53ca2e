/* aborts: prints a line to stderr, then calls abort() in run. For process isolation: the
 * run is recorded as crashed with SIGABRT and the tail of the worker's stderr. */
#include <skill_abi.h>
#include <stdio.h>
#include <stdlib.h>

static skill_status aborts_run(const skill_host *host, skill_invocation *inv, void *state,
                               skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state; (void)input; (void)output;
    fprintf(stderr, "aborts: giving up on purpose\n");
    fflush(stderr);
    abort();
}

SKILL_DEFINE("aborts", "1.0.0", "Calls abort() in run.", aborts_run)
