/* noop: the skill skillbench measures the host with. It ignores its input, calls no host
 * function, and answers {} at once, so a run of it costs only what the host adds.
 *
 * bench/run builds it twice under two names (-DNOOP_NAME='"noop-inprocess"' and
 * '"noop-worker"'), so that one daemon holds an in-process and a worker copy side by side. */
#include <skill_abi.h>

#ifndef NOOP_NAME
#define NOOP_NAME "noop"
#endif

static skill_status noop_run(const skill_host *host, skill_invocation *inv, void *state,
                             skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state; (void)input;
    *output = SKILL_BYTES_LITERAL("{}");
    return SKILL_OK;
}

SKILL_DEFINE(NOOP_NAME, "1.0.0", "Does nothing and answers {}: the skill skillbench measures the host with.", noop_run)
