/* init-deadlock: its init locks a mutex it already holds, so init never returns. The
 * loader cannot load it; in process isolation the run's deadline kills the worker. */
#include <skill_abi.h>
#include <pthread.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static skill_status deadlock_init(void **state) {
    (void)state;
    pthread_mutex_lock(&lock);
    pthread_mutex_lock(&lock); /* a default mutex: this blocks forever */
    return SKILL_OK;
}

static skill_status deadlock_run(const skill_host *host, skill_invocation *inv, void *state,
                                 skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state;
    *output = input;
    return SKILL_OK;
}

SKILL_DEFINE_FULL("init-deadlock", "1.0.0", "Deadlocks in init.", 0u, NULL, NULL,
                  deadlock_init, deadlock_run, NULL)
