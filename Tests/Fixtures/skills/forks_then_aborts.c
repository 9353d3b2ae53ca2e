/* forks_then_aborts: forks a child that sleeps 40 s (keeping the worker's socket and its
 * stdout/stderr pipes open), then calls abort() in run. For process isolation: the crash
 * is noticed at once through the worker's pidfd, not at end of stream, and the child,
 * in the worker's process group, is killed with it. */
#include <skill_abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static skill_status forks_then_aborts_run(const skill_host *host, skill_invocation *inv, void *state,
                                          skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state; (void)input; (void)output;
    if (fork() == 0) {
        sleep(40);
        _exit(0);
    }
    fprintf(stderr, "forks_then_aborts: the child keeps the pipes\n");
    fflush(stderr);
    abort();
}

SKILL_DEFINE("forks-then-aborts", "1.0.0", "Forks a sleeping child, then calls abort() in run.", forks_then_aborts_run)
