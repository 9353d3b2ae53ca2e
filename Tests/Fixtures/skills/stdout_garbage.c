/* stdout-garbage: writes 1 MiB of binary garbage (newlines included) to stdout and to
 * stderr, then returns {}. The run succeeds; the daemon keeps only a bounded tail of each
 * stream in the run's logs and never blocks on a full pipe. */
#include <skill_abi.h>
#include <stdint.h>
#include <unistd.h>

static void write_garbage(int fd) {
    unsigned char buffer[4096];
    uint32_t seed = 2463534242u;
    for (int block = 0; block < 256; block++) {
        for (size_t i = 0; i < sizeof buffer; i++) {
            seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5;
            buffer[i] = (unsigned char)seed;
        }
        size_t offset = 0;
        while (offset < sizeof buffer) {
            ssize_t written = write(fd, buffer + offset, sizeof buffer - offset);
            if (written <= 0) return;
            offset += (size_t)written;
        }
    }
}

static skill_status garbage_run(const skill_host *host, skill_invocation *inv, void *state,
                                skill_bytes input, skill_bytes *output) {
    (void)host; (void)inv; (void)state; (void)input;
    write_garbage(1);
    write_garbage(2);
    *output = SKILL_BYTES_LITERAL("{}");
    return SKILL_OK;
}

SKILL_DEFINE("stdout-garbage", "1.0.0", "Writes 1 MiB of garbage to stdout and stderr.", garbage_run)
