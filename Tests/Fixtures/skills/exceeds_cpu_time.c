/* exceeds_cpu_time: sets its process's CPU time limit (RLIMIT_CPU) to 1 s, then spins: the
 * kernel sends SIGXCPU past the limit. For crash messages: the run is crashed "killed by
 * SIGXCPU: it exceeded its CPU time limit". Only for process isolation. */
#include <skill_abi.h>
#include <sys/resource.h>

static skill_status exceeds_cpu_time_run(const skill_host *host, skill_invocation *inv, void *state,
                                         skill_bytes input, skill_bytes *output) {
    (void)inv; (void)state; (void)input; (void)output;
    struct rlimit limit;
    if (getrlimit(RLIMIT_CPU, &limit) != 0) {
        host->set_error(inv, SKILL_BYTES_LITERAL("getrlimit(RLIMIT_CPU) failed"));
        return SKILL_ERR_FAILED;
    }
    limit.rlim_cur = 1;
    if (setrlimit(RLIMIT_CPU, &limit) != 0) {
        host->set_error(inv, SKILL_BYTES_LITERAL("setrlimit(RLIMIT_CPU) failed"));
        return SKILL_ERR_FAILED;
    }
    volatile unsigned long counter = 0;
    for (;;) counter++;
    return SKILL_OK;
}

SKILL_DEFINE("exceeds-cpu-time", "1.0.0", "Spins past a CPU time limit of 1 s.", exceeds_cpu_time_run)
