/* writes-numbered: writes COUNT numbered chunks with write_output, INTERVAL milliseconds
 * apart, each SIZE bytes long (its six-digit number, dots, a newline), and returns "end\n".
 * Its input is three bare integers, "COUNT INTERVAL SIZE" (such as "20 50 16"), so that a
 * test can see where a follower joined and that nothing came out of order. */
#include <skill_abi.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static long next_number(skill_bytes input, size_t *i) {
    long value = 0;
    while (*i < input.len && (input.data[*i] < '0' || input.data[*i] > '9')) (*i)++;
    for (; *i < input.len && input.data[*i] >= '0' && input.data[*i] <= '9'; (*i)++) {
        if (value > 100000000L) break;
        value = value * 10 + (input.data[*i] - '0');
    }
    return value;
}

static skill_status writes_numbered_run(const skill_host *host, skill_invocation *inv, void *state,
                                        skill_bytes input, skill_bytes *output) {
    (void)state;
    size_t i = 0;
    long count = next_number(input, &i);
    long interval = next_number(input, &i);
    long size = next_number(input, &i);
    if (size < 8) size = 8;
    char *chunk = host->alloc(inv, (size_t)size);
    if (chunk == NULL) return SKILL_ERR_FAILED;
    for (long n = 0; n < count; n++) {
        memset(chunk, '.', (size_t)size);
        char number[8];
        snprintf(number, sizeof number, "%06ld", n % 1000000);
        memcpy(chunk, number, 6);
        chunk[size - 1] = '\n';
        skill_status status = host->write_output(inv, (skill_bytes){ chunk, (size_t)size });
        if (status != SKILL_OK) return status;
        struct timespec remaining = { interval / 1000, (interval % 1000) * 1000000L };
        while (interval > 0 && nanosleep(&remaining, &remaining) != 0 && errno == EINTR) {
        }
    }
    *output = SKILL_BYTES_LITERAL("end\n");
    return SKILL_OK;
}

SKILL_DEFINE("writes-numbered", "1.0.0", "Writes numbered chunks over time, as its input says.", writes_numbered_run)
