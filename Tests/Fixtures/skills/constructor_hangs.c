/* constructor_hangs: an ELF constructor that never returns. Installing it must fail once
 * the inspection timeout passes ("did not finish loading within N s"). Preloaded into
 * `skillhostd --worker` (LD_PRELOAD), it also makes a worker that is stuck before main,
 * before it asks for PR_SET_PDEATHSIG: the leftover that the next daemon start must kill. */
#include <skill_abi.h>
#include <unistd.h>

__attribute__((constructor)) static void constructor_hangs_on_load(void) {
    for (;;) pause();
}

static skill_status constructor_hangs_run(const skill_host *host, skill_invocation *inv, void *state,
                                          skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state;
    *output = input;
    return SKILL_OK;
}

SKILL_DEFINE("constructor-hangs", "1.0.0", "Hangs in an ELF constructor.", constructor_hangs_run)
