/* serial-counter: a stateful skill with SKILL_FLAG_SERIAL. init allocates a counter, each
 * run increments it without locking (safe only because the host never runs it on two
 * threads at once) and returns {"count":N}, deinit frees it. Tests use it to check that
 * state lives as long as the loaded instance and that serial runs are not interleaved
 * (a short sleep between the read and the write makes lost updates near certain otherwise). */
#include <skill_abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static skill_status counter_init(void **state) {
    long *counter = calloc(1, sizeof *counter);
    if (counter == NULL) return SKILL_ERR_FAILED;
    *state = counter;
    return SKILL_OK;
}

static skill_status counter_run(const skill_host *host, skill_invocation *inv, void *state,
                                skill_bytes input, skill_bytes *output) {
    (void)input;
    long *counter = state;
    long value = *counter + 1;
    usleep(200); /* widens the window in which two unserialized runs would lose an update */
    *counter = value;
    char *buffer = host->alloc(inv, 32);
    if (buffer == NULL) return SKILL_ERR_ABORTED;
    int length = snprintf(buffer, 32, "{\"count\":%ld}", value);
    *output = (skill_bytes){ buffer, (size_t)length };
    return SKILL_OK;
}

static void counter_deinit(void *state) {
    free(state);
}

SKILL_DEFINE_FULL("serial-counter", "1.0.0", "Counts its runs, one at a time.",
                  SKILL_FLAG_SERIAL, NULL, NULL, counter_init, counter_run, counter_deinit)
