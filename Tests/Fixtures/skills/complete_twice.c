/* complete-twice: tests of trapped invocations. It completes its input as a prompt; when
 * that fails (the invocation is trapped), it calls the host again to show that every later
 * call fails too: a second complete_text whose status it logs as "second call status: N",
 * then alloc and write_output. It returns SKILL_OK with {"ignored":true} in every case after
 * a failure: the host must drop that output and report the inference failure instead.
 * Since the host drops its logs after the trap too, it also appends what it saw, as
 * "second=N alloc=null|ptr write=N", to the file named by $SKILL_REPORT_FILE when set. */
#include <skill_abi.h>
#include <stdio.h>
#include <stdlib.h>

static skill_status twice_run(const skill_host *host, skill_invocation *inv, void *state,
                              skill_bytes input, skill_bytes *output) {
    (void)state;
    skill_completion completion = { sizeof(skill_completion), 0, 0, { NULL, 0 } };
    skill_status first = host->complete_text(inv, input, NULL, &completion);
    if (first == SKILL_OK) {
        *output = completion.text;
        return SKILL_OK;
    }

    skill_status second = host->complete_text(inv, input, NULL, &completion);
    char line[64];
    int length = snprintf(line, sizeof line, "second call status: %d", (int)second);
    host->log(inv, SKILL_LOG_WARNING, (skill_bytes){ line, (size_t)length });
    void *memory = host->alloc(inv, 16);
    skill_status write = host->write_output(inv, SKILL_BYTES_LITERAL("{\"partial\":true}"));
    const char *report_path = getenv("SKILL_REPORT_FILE");
    if (report_path != NULL) {
        FILE *report = fopen(report_path, "a");
        if (report != NULL) {
            fprintf(report, "second=%d alloc=%s write=%d\n", (int)second, memory ? "ptr" : "null", (int)write);
            fclose(report);
        }
    }

    *output = SKILL_BYTES_LITERAL("{\"ignored\":true}");
    return SKILL_OK;
}

SKILL_DEFINE("complete-twice", "1.0.0", "Keeps calling the host after a failed completion.",
             twice_run)
