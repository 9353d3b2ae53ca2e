/* streams-completion: completes its input as a prompt with SKILL_COMPLETE_STREAM (ABI 1.1),
 * so the model's text reaches the run's output as it is generated, at most 24 tokens. It
 * then returns the trailer "\n[N bytes]", N being the length of the whole text the host put
 * in *result: the run's output is the streamed text followed by that trailer. */
#include <skill_abi.h>
#include <stdio.h>

static skill_status streams_completion_run(const skill_host *host, skill_invocation *inv, void *state,
                                           skill_bytes input, skill_bytes *output) {
    (void)state;
    skill_complete_params params = SKILL_COMPLETE_PARAMS_INIT;
    params.max_tokens = 24;
    params.flags = SKILL_COMPLETE_STREAM;
    skill_completion completion = { sizeof(skill_completion), 0, 0, { NULL, 0 } };
    skill_status status = host->complete_text(inv, input, &params, &completion);
    if (status != SKILL_OK) return status;
    char *trailer = host->alloc(inv, 32);
    if (trailer == NULL) return SKILL_ERR_ABORTED;
    int length = snprintf(trailer, 32, "\n[%zu bytes]", completion.text.len);
    *output = (skill_bytes){ trailer, (size_t)length };
    return SKILL_OK;
}

SKILL_DEFINE("streams-completion", "1.0.0", "Streams the model's completion of its input.",
             streams_completion_run)
