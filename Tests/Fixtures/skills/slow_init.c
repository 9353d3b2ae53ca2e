/* slow-init: its init takes 300 ms; its run creates the file named by its input and returns
 * {}. Tests use it to see whether a run whose deadline passed during init still runs. */
#include "fixture_path.h"
#include <skill_abi.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

static skill_status slow_init(void **state) {
    (void)state;
    struct timespec pause = { 0, 300 * 1000 * 1000 };
    nanosleep(&pause, NULL);
    return SKILL_OK;
}

static skill_status touch_run(const skill_host *host, skill_invocation *inv, void *state,
                              skill_bytes input, skill_bytes *output) {
    (void)state;
    char path[PATH_MAX];
    if (!fixture_path(host, inv, input, path)) return SKILL_ERR_INVALID_INPUT;
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) close(fd);
    *output = SKILL_BYTES_LITERAL("{}");
    return SKILL_OK;
}

SKILL_DEFINE_FULL("slow-init", "1.0.0", "Takes 300 ms to init; run touches the file its input names.", 0u, NULL, NULL,
                  slow_init, touch_run, NULL)
