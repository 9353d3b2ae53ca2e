/* complete-parallel: calls complete_text from three threads of its own at once, as the ABI
 * allows while run has not returned, and returns the three texts joined by "|". A trap
 * (deadline, cancel) must cancel all three calls in flight, not just one. */
#include <skill_abi.h>
#include <pthread.h>
#include <string.h>

enum { CALLS = 3 };

typedef struct call {
    const skill_host *host;
    skill_invocation *inv;
    skill_bytes prompt;
    skill_completion result;
    skill_status status;
} call;

static void *complete_one(void *argument) {
    call *c = argument;
    c->result.struct_size = sizeof(skill_completion);
    c->status = c->host->complete_text(c->inv, c->prompt, NULL, &c->result);
    return NULL;
}

static skill_status parallel_run(const skill_host *host, skill_invocation *inv, void *state,
                                 skill_bytes input, skill_bytes *output) {
    (void)state;
    call calls[CALLS];
    pthread_t threads[CALLS];
    for (int i = 0; i < CALLS; i++) {
        calls[i] = (call){ host, inv, input, { 0, 0, 0, { NULL, 0 } }, SKILL_OK };
        pthread_create(&threads[i], NULL, complete_one, &calls[i]);
    }
    for (int i = 0; i < CALLS; i++) pthread_join(threads[i], NULL);
    size_t total = CALLS - 1;
    for (int i = 0; i < CALLS; i++) {
        if (calls[i].status != SKILL_OK) return calls[i].status;
        total += calls[i].result.text.len;
    }
    char *joined = host->alloc(inv, total);
    if (joined == NULL) return SKILL_ERR_ABORTED;
    size_t offset = 0;
    for (int i = 0; i < CALLS; i++) {
        if (i > 0) joined[offset++] = '|';
        memcpy(joined + offset, calls[i].result.text.data, calls[i].result.text.len);
        offset += calls[i].result.text.len;
    }
    *output = (skill_bytes){ joined, total };
    return SKILL_OK;
}

SKILL_DEFINE("complete-parallel", "1.0.0", "Completes its input three times at once.", parallel_run)
