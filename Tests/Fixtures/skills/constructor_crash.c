/* constructor_crash: an ELF constructor that raises SIGSEGV, so merely loading the file
 * crashes the process that loads it. Installing it must fail with invalid_skill ("crashed
 * while loading (killed by SIGSEGV)") while the daemon, which never dlopens it, keeps
 * serving. */
#include <signal.h>
#include <skill_abi.h>

__attribute__((constructor)) static void constructor_crash_on_load(void) {
    raise(SIGSEGV);
}

static skill_status constructor_crash_run(const skill_host *host, skill_invocation *inv, void *state,
                                          skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state;
    *output = input;
    return SKILL_OK;
}

SKILL_DEFINE("constructor-crash", "1.0.0", "Crashes with SIGSEGV in an ELF constructor.", constructor_crash_run)
