/* sleeps: sleeps for as many milliseconds as its input says (a bare integer, such as 250),
 * then returns {}. For deadline, cancellation and concurrency tests. An input that does
 * not start with a digit sleeps for 0 ms. */
#include <skill_abi.h>
#include <errno.h>
#include <time.h>

static long parse_milliseconds(skill_bytes input) {
    long milliseconds = 0;
    size_t i = 0;
    while (i < input.len && (input.data[i] == ' ' || input.data[i] == '"')) i++;
    for (; i < input.len && input.data[i] >= '0' && input.data[i] <= '9'; i++) {
        if (milliseconds > 86400000L) break; /* a day is long enough for any test */
        milliseconds = milliseconds * 10 + (input.data[i] - '0');
    }
    return milliseconds;
}

static skill_status sleeps_run(const skill_host *host, skill_invocation *inv, void *state,
                               skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state;
    long milliseconds = parse_milliseconds(input);
    struct timespec remaining = { milliseconds / 1000, (milliseconds % 1000) * 1000000L };
    while (nanosleep(&remaining, &remaining) != 0 && errno == EINTR) {
    }
    *output = SKILL_BYTES_LITERAL("{}");
    return SKILL_OK;
}

SKILL_DEFINE("sleeps", "1.0.0", "Sleeps for the milliseconds given as input.", sleeps_run)
